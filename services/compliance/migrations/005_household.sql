-- Who names whom as household (decisions.md D-55), from each person's latest profile: the gate
-- merges into a person's context the members their own profile names and the persons whose
-- profiles name them, so a link recorded on one side counts both ways. Person ids only.
CREATE TABLE IF NOT EXISTS compliance_household (
    tenant     text NOT NULL,
    person_id  text NOT NULL,  -- whose profile names the member
    member_id  text NOT NULL,
    PRIMARY KEY (tenant, person_id, member_id)
);

CREATE INDEX IF NOT EXISTS compliance_household_member
    ON compliance_household (tenant, member_id);

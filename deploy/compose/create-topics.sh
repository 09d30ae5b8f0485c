#!/bin/sh
# One-shot topic creation for docker-compose (the `kafka-init` service), run with the tools of
# the apache/kafka image. Idempotent: existing topics are left alone. The services also create
# missing topics at start-up; creating them here first gives every topic the intended partition
# count and retention instead of broker defaults.
#
# On Kubernetes the same list is declared as Strimzi KafkaTopic resources
# (deploy/k8s/base/kafka/topics.yaml); tests/deploy checks that both lists agree.
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PARTITIONS="${TOPIC_PARTITIONS:-6}"
REPLICATION="${TOPIC_REPLICATION_FACTOR:-1}"
KAFKA_TOPICS=/opt/kafka/bin/kafka-topics.sh

# Integration events (14 days), then one dead-letter topic per consumer (30 days).
EVENT_TOPICS="
goodfaith.invoice-overdue
goodfaith.dispute-raised
goodfaith.payment-received
goodfaith.contact-requested
goodfaith.contact-decided
goodfaith.contact-attempted
goodfaith.debtor-erased
"
DLQ_TOPICS="
goodfaith.dlq.ledger-payments
goodfaith.dlq.ledger-contacts
goodfaith.dlq.compliance-gate
goodfaith.dlq.compliance-facts
goodfaith.dlq.outreach-cases
goodfaith.dlq.outreach-decisions
"

create() {
  "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$1" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config "retention.ms=$2" --config cleanup.policy=delete
}

for topic in $EVENT_TOPICS; do
  create "$topic" 1209600000
done
for topic in $DLQ_TOPICS; do
  create "$topic" 2592000000
done

"$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --topic 'goodfaith\..*'

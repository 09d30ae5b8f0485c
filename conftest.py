pytest_plugins = ["goodfaith_runtime.testing"]

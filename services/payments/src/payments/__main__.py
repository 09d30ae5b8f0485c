from goodfaith_runtime.serve import serve

serve("payments", default_port=8004)

from goodfaith_runtime.serve import serve

serve("outreach", default_port=8002)

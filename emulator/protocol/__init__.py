"""HTTP and the service models; nothing here knows about ECS or EKS."""

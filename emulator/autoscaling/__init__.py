"""Application Auto Scaling for ECS services (the ``ecs:service:DesiredCount`` dimension)."""

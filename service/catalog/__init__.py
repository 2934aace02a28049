"""What models and runtimes this service can use."""

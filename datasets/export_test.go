package datasets

// Unregister removes a dataset a test registered.
func Unregister(name string) { delete(registry, name) }

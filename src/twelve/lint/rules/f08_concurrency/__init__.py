"""Factor VIII, Concurrency: scale out via process types, background work in workers."""

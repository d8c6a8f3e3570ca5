// Each spec runs several member processes, each with its models, on a small CI machine: one spec class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

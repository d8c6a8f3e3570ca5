// The broker specs each start a private rabbitmq-server (an Erlang VM): run the spec classes one
// after another so that at most one broker boots at a time on small CI machines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

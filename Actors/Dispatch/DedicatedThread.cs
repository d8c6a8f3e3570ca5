using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// An executor with one thread of its own that sleeps on a monitor while it has no work: no spinning. Runs what it is
/// given in order; after <see cref="Shutdown"/> it finishes what is queued and ends.
/// </summary>
internal sealed class DedicatedThread : ExecutorService
{
    private readonly Queue<IRunnable> _work = new();
    private bool _shutdown;

    public DedicatedThread(string id) : base(id) =>
        new Thread(Loop) { IsBackground = true, Name = id }.Start();

    public override void Execute(IRunnable run)
    {
        lock (_work)
        {
            if (_shutdown) throw new RejectedExecutionException($"executor {Id} is shut down");
            _work.Enqueue(run);
            Monitor.Pulse(_work);
        }
    }

    public override void Shutdown()
    {
        lock (_work)
        {
            _shutdown = true;
            Monitor.Pulse(_work);
        }
    }

    private void Loop()
    {
        while (true)
        {
            IRunnable run;
            lock (_work)
            {
                while (_work.Count == 0)
                {
                    if (_shutdown) return;
                    Monitor.Wait(_work);
                }
                run = _work.Dequeue();
            }
            run.Run();
        }
    }
}

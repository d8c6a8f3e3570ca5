using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using Xunit.Abstractions;

namespace AkkaRlhf.TestKit.Internal;

/// <summary>Writes the system's log events and dead letters to the test's output.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        var line = message switch
        {
            LogEvent e => e.ToString(),
            DeadLetter d => $"[DEADLETTER] {d.Message.GetType().Name} from {d.Sender.Path} to {d.Recipient.Path}: {d.Message}",
            _ => null,
        };
        if (line is null) return;
        try { output.WriteLine(line); }
        catch (InvalidOperationException) { } // the test already finished
    }
}

using System.Threading.Channels;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.TestKit.Internal;

/// <summary>A message the test actor received, with its sender.</summary>
public readonly record struct ReceivedMessage(object Message, IActorRef Sender);

/// <summary>What the test actor received, waiting to be expected; plus the ignore filter.</summary>
internal sealed class TestActorQueue
{
    private readonly Channel<ReceivedMessage> _channel = Channel.CreateUnbounded<ReceivedMessage>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    public volatile Func<object, bool>? Ignore;

    public void Add(ReceivedMessage message)
    {
        if (Ignore is { } ignore && ignore(message.Message)) return;
        _channel.Writer.TryWrite(message);
    }

    /// <summary>Waits asynchronously (no thread blocked) for the next message; null after <paramref name="timeout"/>.</summary>
    public async Task<ReceivedMessage?> TakeAsync(TimeSpan timeout)
    {
        if (_channel.Reader.TryRead(out var ready)) return ready;
        if (timeout <= TimeSpan.Zero) return null;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _channel.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public bool TryTake(out ReceivedMessage message) => _channel.Reader.TryRead(out message);
}

using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Serves prompt batches in a seeded, resumable order (a <see cref="DatasetIterator{T}"/>; the cursor
/// travels with every batch so a run can persist it). A repeated batch id gets the same prompts.
/// </summary>
public sealed class PromptSource : RoleActor
{
    private DatasetIterator<string> _prompts;

    public static Props Props(IReadOnlyList<string> prompts, ITokenizer tokenizer, ChatTemplate template, long seed, DataCursor? cursor = null) =>
        Akka.Actor.Props.Create(() => new PromptSource(prompts, tokenizer, template, seed, cursor));

    public PromptSource(IReadOnlyList<string> prompts, ITokenizer tokenizer, ChatTemplate template, long seed, DataCursor? cursor) : base(CPU)
    {
        _prompts = new DatasetIterator<string>(prompts, 1, seed, shuffle: true, cursor: cursor);

        ReceiveBatch<RequestPrompts>(request =>
        {
            if (_prompts.BatchSize != request.Count)
                _prompts = new DatasetIterator<string>(prompts, Math.Min(request.Count, prompts.Count), seed, shuffle: true, cursor: _prompts.Cursor);
            var texts = _prompts.Next();
            var tokens = texts.Select(p => template.EncodePrompt(tokenizer, p)).ToList();
            return new PromptBatch(request.BatchId, texts, tokens, _prompts.Cursor);
        });
    }
}

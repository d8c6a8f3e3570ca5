namespace AkkaRlhf.Actors.Messages;

/// <summary>Starts an offline stage (SFT, reward model, DPO) or a PPO run on the receiving actor.</summary>
public sealed record RunStage(long BatchId, int Steps) : IBatchMessage;

/// <summary>An offline stage's own "next step" message (its training loop runs through its mailbox).</summary>
public sealed record StageStep(long BatchId, int Step) : IBatchMessage;

/// <summary>The stage finished; <paramref name="Summary"/> holds its final figures.</summary>
public sealed record StageFinished(long BatchId, string Stage, IReadOnlyDictionary<string, double> Summary) : IBatchMessage;

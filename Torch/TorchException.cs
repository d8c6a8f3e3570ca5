namespace AkkaRlhf.Torch;

/// <summary>An error raised by libtorch (shape mismatch, bad dtype, ...), carrying libtorch's message.</summary>
public sealed class TorchException(string message) : Exception(message);

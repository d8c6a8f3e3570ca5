using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Tests.Shared;

/// <summary>
/// Writes what <c>save_pretrained</c> of a freshly initialised transformers <c>GPT2LMHeadModel</c> writes, at a small size:
/// config.json, model.safetensors in Hugging Face's names and layouts (<c>transformer.</c> prefix, Conv1D weights as
/// (in, out), the <c>attn.bias</c> causal-mask buffers, weights N(0, 0.02), LayerNorms 1 and 0) and GPT-2's real
/// vocab.json + merges.txt (<see cref="Gpt2Files"/>). Written with TorchSharp.PyBridge, not with the product's writer.
/// </summary>
internal static class RandomGpt2Folder
{
    public const int VocabSize = 50257;

    public static void Write(string dir, int nLayer = 2, int nHead = 2, int nEmbd = 32, int nPositions = 128, ulong seed = 7)
    {
        Directory.CreateDirectory(dir);
        using var scope = torch.NewDisposeScope();
        var g = new Generator(seed);
        var C = nEmbd;
        using var std = 0.02.ToScalar();
        Tensor Normal(params long[] shape) => torch.randn(shape, generator: g).mul_(std);
        var tensors = new Dictionary<string, Tensor>
        {
            ["transformer.wte.weight"] = Normal(VocabSize, C),
            ["transformer.wpe.weight"] = Normal(nPositions, C),
            ["transformer.ln_f.weight"] = torch.ones(C),
            ["transformer.ln_f.bias"] = torch.zeros(C),
        };
        for (var i = 0; i < nLayer; i++)
        {
            var h = $"transformer.h.{i}.";
            tensors[h + "ln_1.weight"] = torch.ones(C); tensors[h + "ln_1.bias"] = torch.zeros(C);
            tensors[h + "attn.c_attn.weight"] = Normal(C, 3 * C); tensors[h + "attn.c_attn.bias"] = torch.zeros(3 * C);
            tensors[h + "attn.c_proj.weight"] = Normal(C, C); tensors[h + "attn.c_proj.bias"] = torch.zeros(C);
            tensors[h + "attn.bias"] = torch.ones(nPositions, nPositions).tril().view(1, 1, nPositions, nPositions);
            tensors[h + "ln_2.weight"] = torch.ones(C); tensors[h + "ln_2.bias"] = torch.zeros(C);
            tensors[h + "mlp.c_fc.weight"] = Normal(C, 4 * C); tensors[h + "mlp.c_fc.bias"] = torch.zeros(4 * C);
            tensors[h + "mlp.c_proj.weight"] = Normal(4 * C, C); tensors[h + "mlp.c_proj.bias"] = torch.zeros(C);
        }
        Safetensors.SaveStateDict(Path.Combine(dir, "model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(new
        {
            architectures = new[] { "GPT2LMHeadModel" }, model_type = "gpt2", vocab_size = VocabSize, n_positions = nPositions, n_ctx = nPositions,
            n_embd = C, n_layer = nLayer, n_head = nHead, activation_function = "gelu_new", layer_norm_epsilon = 1e-5,
            bos_token_id = 50256, eos_token_id = 50256, resid_pdrop = 0.1, embd_pdrop = 0.1, attn_pdrop = 0.1,
        }));
        Gpt2Files.WriteTo(dir, "vocab.json", "merges.txt");
    }
}

using AkkaRlhf.Models;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>LoRA adapters on the GPT projections (<see cref="Lora"/>): off is the base model, merged is base + adapters, only adapters train.</summary>
public sealed class LoraSpecs
{
    private static readonly LoraConfig Everywhere = new(Rank: 4, Alpha: 8, Dropout: 0, Targets: ["c_attn", "c_proj", "c_fc"]);

    /// <summary>Equal value for value, bit for bit.</summary>
    private static void AssertIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits), actual.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    private static (Tensor ids, Tensor mask) Batch() => Tiny.LeftPad([[3, 4, 5, 6, 7], [8, 9, 10]]);

    private static GptLM Model(int seed = 1) => new(Tiny.Config, new Generator((ulong)seed));

    /// <summary>Gives every adapter a nonzero B (as training would), drawn from a seeded generator.</summary>
    private static void Train(GptLM model)
    {
        using var noGrad = no_grad();
        var g = new Generator(9);
        using var scale = 0.05.ToScalar();
        foreach (var (_, adapter) in Lora.Adapters(model)) adapter.lora_B.copy_(randn(adapter.lora_B.shape, generator: g).mul_(scale));
    }

    [Fact]
    public void New_adapters_must_leave_every_logit_exactly_as_it_was()
    {
        var model = Model();
        var (ids, mask) = Batch();
        var before = model.forward(ids, mask);
        model.transformer.AddLora(Everywhere, new Generator(2));
        Assert.Equal(Tiny.Config.NLayer * 4, Lora.Adapters(model).Count());                 // c_attn, attn.c_proj, c_fc, mlp.c_proj per block
        AssertIdentical(before, model.forward(ids, mask));
    }

    [Fact]
    public void With_adapters_off_the_model_must_be_the_base_model_exactly()
    {
        var model = Model();
        var (ids, mask) = Batch();
        var reference = model.forward(ids, mask);
        model.transformer.AddLora(Everywhere, new Generator(2));
        Train(model);
        var adapted = model.forward(ids, mask);
        Assert.True((adapted - reference).abs().max().ToDouble() > 1e-3, "trained adapters must change the logits");
        model.SetLoraEnabled(false);
        AssertIdentical(reference, model.forward(ids, mask));                                 // PPO's reference: the same weights, adapters off
        model.SetLoraEnabled(true);
        AssertIdentical(adapted, model.forward(ids, mask));
    }

    [Fact]
    public void Merged_weights_must_give_the_log_probs_of_base_plus_adapters()
    {
        var model = Model();
        var (ids, mask) = Batch();
        model.transformer.AddLora(Everywhere, new Generator(2));
        Train(model);
        var adapted = nn.functional.log_softmax(model.forward(ids, mask), -1);

        var merged = model.MergedStateDict();
        var plain = Model(seed: 5);                                                           // other weights, then the merged ones
        Assert.Equal(plain.state_dict().Keys.Order(), merged.Keys.Order());                   // a plain model's names, no adapter entries
        plain.load_state_dict(merged);
        var logProbs = nn.functional.log_softmax(plain.forward(ids, mask), -1);
        Tiny.AllClose(adapted, logProbs, 1e-5);                                               // float32: (W + s B A) x vs W x + s B (A x)
    }

    [Fact]
    public void Only_adapter_parameters_must_get_gradients()
    {
        var model = Model();
        var (ids, mask) = Batch();
        model.transformer.AddLora(Everywhere, new Generator(2));
        Train(model);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(Tiny.Config.NLayer * 4 * 2, trainable.Count);
        Assert.All(trainable, name => Assert.True(Lora.IsAdapter(name), name));

        model.forward(ids, mask).pow(Two).mean().backward();
        foreach (var (name, p) in model.named_parameters())
            if (Lora.IsAdapter(name)) Assert.True(p.grad is { } g && g.abs().sum().ToDouble() > 0, $"{name} got no gradient");
            else Assert.True(p.grad is null, $"{name} (frozen) got a gradient");
    }

    [Fact]
    public void A_bad_config_must_be_refused_naming_what_is_wrong()
    {
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => (Everywhere with { Rank = 0 }).Validate()).Message);
        Assert.Contains("'q_proj'", Assert.Throws<ArgumentException>(() => (Everywhere with { Targets = ["q_proj"] }).Validate()).Message);
        Assert.Contains("dropout", Assert.Throws<ArgumentException>(() => (Everywhere with { Dropout = 1 }).Validate()).Message);
        Assert.Contains("repeat", Assert.Throws<ArgumentException>(() => (Everywhere with { Targets = ["c_fc", "c_fc"] }).Validate()).Message);
        var model = Model();
        model.transformer.AddLora(Everywhere);
        Assert.Throws<InvalidOperationException>(() => model.transformer.AddLora(Everywhere));
    }
}

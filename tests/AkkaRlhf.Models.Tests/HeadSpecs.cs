using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

[Collection("GlobalRng")]   // runs alone: the dropout spec seeds libtorch's default generator
public class HeadSpecs
{
    [Fact]
    public void Reward_must_be_read_at_the_last_non_pad_token()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(1);
        using var rm = new GptReward(Tiny.Config, g);
        rm.eval();
        var (ids, mask) = Batch.RightPad([[4, 5, 6, 7], [8, 9]], pad_id: 0);
        var r = rm.forward(ids, mask).data<float>().ToArray();
        Assert.Equal(2, r.Length);

        // tokens after the last real one (padding) do not change the reward ...
        var changed = torch.tensor(new long[] { 4, 5, 6, 7, 8, 9, 30, 31 }, [2, 4]);
        Assert.Equal(r, rm.forward(changed, mask).data<float>().ToArray());
        // ... but the last real token does, and the reward equals the score at that position
        var last = torch.tensor(new long[] { 4, 5, 6, 7, 8, 10, 0, 0 }, [2, 4]);
        Assert.NotEqual(r[1], rm.forward(last, mask).data<float>().ToArray()[1]);
        var alone = rm.forward(torch.tensor(new long[] { 8, 9 }, [1, 2])).ToDouble();
        Assert.Equal(alone, r[1], 5);
        // left padding reads the same token
        var (lids, lmask) = Batch.LeftPad([[4, 5, 6, 7], [8, 9]], pad_id: 0);
        Tiny.AllClose(torch.tensor(r), rm.forward(lids, lmask), 1e-5);
    }

    [Fact]
    public void Value_head_must_give_one_value_per_token_and_a_critic_from_a_reward_model_must_match_it()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(2);
        using var rm = new GptReward(Tiny.Config, g);
        using var critic = GptValue.FromReward(rm);
        rm.eval();
        critic.eval();
        var (ids, mask) = Batch.RightPad([[4, 5, 6, 7], [8, 9]], pad_id: 0);
        var values = critic.forward(ids, mask);
        Assert.Equal(new long[] { 2, 4 }, values.shape);
        var atLast = values.gather(1, GptReward.LastTokenIndex(ids, mask)).squeeze(1);
        Tiny.AllClose(rm.forward(ids, mask), atLast, 1e-6);
        Assert.Contains("value_head.weight", critic.state_dict().Keys);
    }

    [Fact]
    public void Config_must_round_trip_through_json_and_reject_impossible_shapes()
    {
        var c = Tiny.Config with { Dropout = 0.1, TiedEmbeddings = false };
        Assert.Equal(c, GptConfig.FromJson(c.ToJson()));
        Assert.Contains("\"n_embd\": 16", c.ToJson());
        Assert.Throws<ArgumentException>(() => (Tiny.Config with { NHead = 3 }).Validate());
        using var untied = new GptLM(c);
        Assert.Contains("lm_head.weight", untied.state_dict().Keys);
        Assert.Equal(["transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.ln_1.weight"], untied.state_dict().Keys.Take(3));
    }

    [Fact]
    public void Dropout_must_follow_the_training_flag_and_libtorchs_default_generator()
    {
        using var scope = torch.NewDisposeScope();
        var config = Tiny.Config with { Dropout = 0.5 };
        using var init = new Generator(4);
        using var a = new GptLM(config, init);
        init.manual_seed(4);
        using var b = new GptLM(config, init);
        var ids = torch.tensor(new long[] { 1, 2, 3 }, [1, 3]);
        torch.manual_seed(8);
        var first = a.forward(ids).data<float>().ToArray();
        torch.manual_seed(8);
        Assert.Equal(first, b.forward(ids).data<float>().ToArray());                 // same seed, same dropout masks
        Assert.NotEqual(a.forward(ids).data<float>().ToArray(), a.forward(ids).data<float>().ToArray()); // fresh masks each call
        a.eval();
        Assert.Equal(a.forward(ids).data<float>().ToArray(), a.forward(ids).data<float>().ToArray());
    }
}

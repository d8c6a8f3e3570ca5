using System.CommandLine;
using AkkaRlhf.Hosting.Commands;

namespace AkkaRlhf.Hosting;

/// <summary>The <c>akka-rlhf</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("AkkaRlhf: RLHF on actors (SFT, reward model, PPO, DPO) over libtorch.")
        {
            DemoCommand.Create(),
            TrainCommand.Create(),
            ModelCommandsCli.Generate(),
            ModelCommandsCli.Score(),
            ConfigCommand.Create(),
            NodeCommand.Create(),
            RunsCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}

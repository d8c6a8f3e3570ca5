using System.CommandLine;
using AkkaRlhf.Configuration;

namespace AkkaRlhf.Hosting.Commands;

/// <summary><c>config show [FILE] [--json] [--set k=v]</c>: the resolved, merged configuration.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE") { Description = "user configuration file (HOCON)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "print plain JSON" };
        var set = Options.Overrides();
        var show = new Command("show", "print the resolved configuration: reference.conf < FILE < environment (AKKA_RLHF__a__b=v) < --set") { file, json, set };
        show.SetAction(r => Cli.Run(() =>
        {
            var config = AppConfig.Load(r.GetValue(file), r.GetValue(set) ?? []);
            Console.WriteLine(r.GetValue(json) ? config.ToJson(indented: true) : config.ToHocon());
        }));
        return new Command("config", "configuration tools") { show };
    }
}

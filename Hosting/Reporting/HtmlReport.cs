using System.Globalization;
using System.Text;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Renders a <see cref="RunReport"/> as one offline HTML page: inline CSS, inline SVG charts, no
/// scripts and no external resources. The page is also well-formed XML (void elements are closed,
/// only XML's entities are used), so tools can parse it.
/// </summary>
public static class HtmlReport
{
    /// <summary>The whole page.</summary>
    public static string Render(RunReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append($"<title>AkkaRlhf run {Esc(report.RunId)}</title>\n<style>{Css}</style>\n</head>\n<body>\n");
        Header(html, report);
        Results(html, report);
        Sweep(html, report);
        Curves(html, report);
        Timings(html, report);
        Settings(html, report);
        return html.Append("</body>\n</html>\n").ToString();
    }

    private static void Header(StringBuilder html, RunReport r) =>
        html.Append($"<header>\n<h1>AkkaRlhf run <code>{Esc(r.RunId)}</code></h1>\n<p class=\"meta\">")
            .Append($"seed {r.Seed} · started {Esc(r.Started.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))}")
            .Append($" · total {Esc(Duration(r.TotalSeconds))}</p>\n</header>\n");

    private static void Results(StringBuilder html, RunReport r)
    {
        html.Append("<section id=\"results\">\n<h2>Results on held-out prompts</h2>\n");
        if (r.Comparison.Count == 0) html.Append("<p class=\"empty\">No models were evaluated.</p>\n");
        else ComparisonTable(html, r.Comparison);
        if (r.RewardModelAccuracy is { } accuracy)
            html.Append($"<p>Reward model held-out accuracy: <strong>{XmlText.Fixed(accuracy * 100, 1)}%</strong></p>\n");
        TargetList(html, r.Targets);
        html.Append("</section>\n");
    }

    private static void ComparisonTable(StringBuilder html, IReadOnlyList<ComparisonRow> rows)
    {
        html.Append("<table class=\"comparison\">\n<thead><tr><th>Model</th><th>Hidden true reward</th>")
            .Append("<th>Fluency</th><th>KL to reference</th><th>RM score</th></tr></thead>\n<tbody>\n");
        var best = rows.Where(x => double.IsFinite(x.TrueReward)).Select(x => x.TrueReward).DefaultIfEmpty(double.NaN).Max();
        foreach (var row in rows)
        {
            var cls = row.TrueReward == best && rows.Count > 1 ? " class=\"best\"" : "";
            html.Append($"<tr{cls}><td>{Esc(row.Model)}</td>")
                .Append($"<td class=\"num\">{XmlText.Fixed(row.TrueReward, 3)} <span class=\"se\">± {XmlText.Fixed(row.TrueRewardStdErr, 3)}</span></td>")
                .Append($"<td class=\"num\">{XmlText.Fixed(row.FluencyPercent, 1)}%</td>")
                .Append($"<td class=\"num\">{XmlText.Fixed(row.KlToReference, 3)}</td>")
                .Append($"<td class=\"num\">{(row.RewardModelScore is { } s ? XmlText.Fixed(s, 3) : "–")}</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void TargetList(StringBuilder html, IReadOnlyList<TargetCheck> targets)
    {
        if (targets.Count == 0) return;
        var met = targets.Count(t => t.Met);
        html.Append($"<h3>Targets: {met} of {targets.Count} met</h3>\n<ul class=\"targets\">\n");
        foreach (var t in targets)
            html.Append($"<li class=\"{(t.Met ? "met" : "missed")}\"><span class=\"mark\">{(t.Met ? "✔ met" : "✘ missed")}</span> ")
                .Append($"{Esc(t.Name)}: measured <strong>{XmlText.Short(t.Measured, 4)}</strong>, target {Esc(t.Target)}</li>\n");
        html.Append("</ul>\n");
    }

    /// <summary>Reward vs KL: a line per method through its beta sweep, plus the evaluated models.</summary>
    private static void Sweep(StringBuilder html, RunReport r)
    {
        if (r.BetaSweep.Count == 0) return;
        var series = r.BetaSweep.GroupBy(p => p.Method)
            .Select(g => new ChartSeries(g.Key, g.OrderBy(p => p.Beta)
                .Select(p => new ChartPoint(p.KlToReference, p.TrueReward, $"β={XmlText.Short(p.Beta)}")).ToList()))
            .ToList();
        if (r.Comparison.Count > 0)
            series.Add(new ChartSeries("evaluated models", r.Comparison
                .Select(c => new ChartPoint(c.KlToReference, c.TrueReward, c.Model)).ToList()) { Joined = false });
        var spec = new ChartSpec("Hidden true reward vs KL to reference", "KL(π ‖ π_ref)", "true reward") { Width = 760, Height = 380 };
        html.Append("<section id=\"sweep\">\n<h2>Reward vs KL over the β sweep</h2>\n<p class=\"note\">Each point is a run with ")
            .Append("KL coefficient β; up and to the left is better. Hover a point for its values.</p>\n<div class=\"chart-wide\">")
            .Append(SvgChart.Scatter(spec, series, connect: true)).Append("</div>\n</section>\n");
    }

    /// <summary>Training curves: one chart per metric, grouped by stage in the order stages appear.</summary>
    private static void Curves(StringBuilder html, RunReport r)
    {
        html.Append("<section id=\"curves\">\n<h2>Training curves</h2>\n");
        if (r.Series.Count == 0) html.Append("<p class=\"empty\">No metrics were recorded.</p>\n");
        foreach (var stage in r.Series.GroupBy(s => s.Stage))
        {
            var timing = r.Stages.FirstOrDefault(t => t.Stage == stage.Key);
            html.Append($"<h3>{Esc(StageTitle(stage.Key))}")
                .Append(timing is null ? "" : $" <span class=\"meta\">{Esc(Duration(timing.Seconds))}</span>")
                .Append("</h3>\n<div class=\"grid\">\n");
            foreach (var metric in stage)
            {
                var spec = new ChartSpec($"{StageTitle(stage.Key)} · {metric.Name}", "step", metric.Name, IntegerX: true);
                html.Append("<div class=\"chart\">").Append(SvgChart.Line(spec, [ChartSeries.From(metric)])).Append("</div>\n");
            }
            html.Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    private static void Timings(StringBuilder html, RunReport r)
    {
        if (r.Stages.Count == 0) return;
        html.Append("<section id=\"timings\">\n<h2>Stage timings</h2>\n<table>\n<thead><tr><th>Stage</th><th>Time</th><th>Share</th></tr></thead>\n<tbody>\n");
        var total = r.Stages.Sum(s => s.Seconds);
        foreach (var s in r.Stages)
            html.Append($"<tr><td>{Esc(StageTitle(s.Stage))}</td><td class=\"num\">{Esc(Duration(s.Seconds))}</td>")
                .Append($"<td class=\"num\">{(total > 0 ? XmlText.Fixed(100 * s.Seconds / total, 1) + "%" : "–")}</td></tr>\n");
        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Settings(StringBuilder html, RunReport r)
    {
        html.Append("<section id=\"settings\">\n<h2>Settings</h2>\n");
        if (r.Settings.Count == 0) html.Append("<p class=\"empty\">None recorded.</p>\n");
        else
        {
            html.Append("<table class=\"settings\">\n<tbody>\n");
            foreach (var (key, value) in r.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                html.Append($"<tr><td><code>{Esc(key)}</code></td><td><code>{Esc(value)}</code></td></tr>\n");
            html.Append("</tbody>\n</table>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>"sft" -> "SFT"; longer names keep their case.</summary>
    private static string StageTitle(string stage) => stage.Length <= 4 ? stage.ToUpperInvariant() : stage;

    private static string Duration(double seconds) =>
        !double.IsFinite(seconds) ? "n/a"
        : seconds < 60 ? $"{XmlText.Fixed(seconds, 1)} s"
        : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    private static string Esc(string? text) => XmlText.Escape(text);

    private const string Css = """

        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; max-width: 1180px; margin: 24px auto; padding: 0 16px; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 18px 0 6px; } .meta { color: #666; font-weight: normal; } .note, .empty { color: #666; }
        table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 5px 12px; border-bottom: 1px solid #e5e5e5; text-align: left; }
        th { background: #f6f6f6; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.best td { background: #f0f7ee; } .se { color: #888; font-size: 12px; }
        ul.targets { list-style: none; padding: 0; } ul.targets li { margin: 4px 0; }
        .mark { display: inline-block; min-width: 72px; font-weight: 600; }
        li.met .mark { color: #2e7d32; } li.missed .mark { color: #c62828; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
        .chart, .chart-wide { background: #fff; border: 1px solid #eee; border-radius: 4px; padding: 4px; overflow-x: auto; }
        .chart-wide { display: inline-block; } svg { display: block; max-width: 100%; height: auto; }
        table.settings td { font-size: 12px; padding: 2px 12px; } code { font-family: ui-monospace, Menlo, Consolas, monospace; }

        """;
}

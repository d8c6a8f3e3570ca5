using AkkaRlhf.Configuration;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>A numeric setting checked against its range when it is read: a value out of range is a bad setting naming its key and where it was set.</summary>
internal static class SettingRange
{
    /// <summary>
    /// <paramref name="value"/> of <c>PATH.KEY</c> (read from the block <paramref name="c"/>, found at <paramref name="path"/>)
    /// when within [<paramref name="min"/>, <paramref name="max"/>]; else a <see cref="ConfigurationException"/>.
    /// </summary>
    public static T Check<T>(Config c, string path, string key, T value, T min, T? max = null) where T : struct, IComparable<T>
    {
        if (value.CompareTo(min) >= 0 && (max is not { } top || value.CompareTo(top) <= 0)) return value;
        var origin = c.GetValue(key)?.Origin;
        var allowed = max is { } m ? $"between {min} and {m}" : $">= {min}";
        throw new ConfigurationException($"{origin}: {path}.{key} = {value} must be {allowed}", origin, $"{path}.{key}");
    }

    /// <summary>A training block's <c>micro-batch-size</c> (rows per forward/backward; 0 = the whole batch at once).</summary>
    public static int MicroBatchSize(Config c, string path) => Check(c, path, "micro-batch-size", c.GetInt("micro-batch-size"), 0);
}

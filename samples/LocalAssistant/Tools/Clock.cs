using System.Globalization;

namespace LocalAssistant.Tools;

/// <summary>The <c>now</c> tool: the local date and time with its UTC offset and time zone (a model has no clock).</summary>
public sealed class Clock(TimeProvider time)
{
    /// <summary>E.g. <c>Tuesday 2025-03-04 14:05:09 +01:00 (Europe/Paris)</c>.</summary>
    public string Now()
    {
        var now = time.GetLocalNow();
        string offset = now.ToString("zzz", CultureInfo.InvariantCulture);
        return $"{now.DayOfWeek} {now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {offset} ({time.LocalTimeZone.Id})";
    }
}

namespace Wallfacer.Cli.Chat;

/// <summary>A one-line picture of how full the context is: <c>[context ▕███░░░░░░░▏ 312/2048 (15%)]</c>.</summary>
internal static class ContextGauge
{
    private const int Width = 20;

    public static string Render(int used, int capacity)
    {
        double fraction = capacity > 0 ? Math.Clamp((double)used / capacity, 0, 1) : 1;
        int filled = (int)Math.Round(fraction * Width);
        return $"[context ▕{new string('█', filled)}{new string('░', Width - filled)}▏ {used}/{capacity} ({fraction * 100:F0}%)]";
    }
}

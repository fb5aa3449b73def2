namespace Wallfacer.Server;

/// <summary>The web chat page served at <c>/</c>: one self-contained HTML file (no CDN, no build step), embedded in the assembly.</summary>
internal static class ChatPage
{
    public static string Html { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(ChatPage).Assembly.GetManifestResourceStream("Wallfacer.Server.wwwroot.index.html")
            ?? throw new InvalidOperationException("The chat page resource is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

namespace Wallfacer.Hub;

/// <summary>
/// Reads <see cref="HubOptions"/> from the environment variables huggingface_hub reads (its
/// <c>constants.py</c>), so that a model pulled here is found by Python tools and the other way round.
/// </summary>
public static class HubEnvironment
{
    public const string EndpointVariable = "HF_ENDPOINT";
    public const string TokenVariable = "HF_TOKEN";
    public const string TokenPathVariable = "HF_TOKEN_PATH";
    public const string HomeVariable = "HF_HOME";
    public const string HubCacheVariable = "HF_HUB_CACHE";
    /// <summary>The older name of <see cref="HubCacheVariable"/>, still honoured by huggingface_hub.</summary>
    public const string LegacyHubCacheVariable = "HUGGINGFACE_HUB_CACHE";
    public const string XdgCacheVariable = "XDG_CACHE_HOME";

    /// <summary>
    /// The options the environment asks for. Endpoint: <c>HF_ENDPOINT</c>, else huggingface.co. Token:
    /// <c>HF_TOKEN</c>, else the file <c>HF_TOKEN_PATH</c> or <c>$HF_HOME/token</c> (what <c>hf auth login</c>
    /// writes). Cache: <c>HF_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>, where <c>HF_HOME</c> defaults to
    /// <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>.
    /// </summary>
    /// <param name="getVariable">Reads one variable; the process environment when null.</param>
    /// <param name="userHome">The user's home folder; the real one when null.</param>
    public static HubOptions Read(Func<string, string?>? getVariable = null, string? userHome = null)
    {
        var get = Getter(getVariable);
        userHome ??= DefaultUserHome();
        string tokenPath = ExpandHome(get(TokenPathVariable), userHome) ?? Path.Combine(HomeDirectory(get, userHome), "token");
        return new HubOptions
        {
            Endpoint = ParseEndpoint(get(EndpointVariable)),
            Token = get(TokenVariable)?.Trim() ?? ReadTokenFile(tokenPath),
            CacheDirectory = CacheDirectory(getVariable, userHome),
        };
    }

    /// <summary>
    /// Only the cache root, for callers that read the cache and need neither the endpoint nor the token (so a bad
    /// <c>HF_ENDPOINT</c> does not stop a cached model from loading).
    /// </summary>
    public static string CacheDirectory(Func<string, string?>? getVariable = null, string? userHome = null)
    {
        var get = Getter(getVariable);
        userHome ??= DefaultUserHome();
        return ExpandHome(get(HubCacheVariable) ?? get(LegacyHubCacheVariable), userHome) ?? Path.Combine(HomeDirectory(get, userHome), "hub");
    }

    private static string HomeDirectory(Func<string, string?> get, string userHome) =>
        ExpandHome(get(HomeVariable), userHome) ?? Path.Combine(get(XdgCacheVariable) ?? Path.Combine(userHome, ".cache"), "huggingface");

    /// <summary>An empty variable counts as unset, as in huggingface_hub.</summary>
    private static Func<string, string?> Getter(Func<string, string?>? getVariable)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return name => getVariable(name) is { Length: > 0 } value ? value : null;
    }

    private static string DefaultUserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static Uri ParseEndpoint(string? value)
    {
        if (value == null)
            return HubOptions.DefaultEndpoint;
        if (Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            return uri;
        throw new HubException(HubErrorKind.InvalidInput, $"{EndpointVariable} is not an http(s) address: '{value}'.");
    }

    /// <summary>The token file's first line; null when the file is absent or empty.</summary>
    private static string? ReadTokenFile(string path)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            string token = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
            return token.Length > 0 ? token : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // an unreadable token file means anonymous access, as in huggingface_hub
        }
    }

    /// <summary>Python's <c>os.path.expanduser</c> for a leading <c>~</c>, which users write in these variables.</summary>
    private static string? ExpandHome(string? path, string userHome) => path switch
    {
        null => null,
        "~" => userHome,
        _ when path.StartsWith("~/", StringComparison.Ordinal) => Path.Combine(userHome, path[2..]),
        _ => path,
    };
}

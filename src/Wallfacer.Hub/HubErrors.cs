using System.Net;

namespace Wallfacer.Hub;

/// <summary>
/// Turns the hub's HTTP failures into one-line messages that say what to do. The hub answers 401 or 404 for a
/// private repository when no token is sent (it does not reveal that the repository exists), 403 for a gated one
/// whose terms the token's owner has not accepted; its <c>X-Error-Code</c> header (<c>RepoNotFound</c>,
/// <c>RevisionNotFound</c>, <c>EntryNotFound</c>, <c>GatedRepo</c>) makes the message precise.
/// </summary>
internal static class HubErrors
{
    private const int MaxServerMessageLength = 200;

    public static HubException FromResponse(HttpResponseMessage response, string what, string repoId, Uri endpoint, bool hasToken)
    {
        string? code = Header(response, "X-Error-Code");
        string detail = ServerMessage(response);
        string tokenHint = hasToken ? "" : $" No token was given: a private or gated repository needs {HubEnvironment.TokenVariable} (or `hf auth login`).";
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new HubException(HubErrorKind.NotFound, NotFoundText(code, what) + "." + detail + tokenHint),
            HttpStatusCode.Unauthorized when hasToken => new HubException(HubErrorKind.Unauthorized,
                $"the hub rejected the token for {what} (401): check {HubEnvironment.TokenVariable} or the token file holds a valid token with read access.{detail}"),
            HttpStatusCode.Unauthorized => new HubException(HubErrorKind.Unauthorized,
                $"{what} needs authentication (401): the repository is private or gated, or does not exist. Set {HubEnvironment.TokenVariable} to a token with access.{detail}"),
            HttpStatusCode.Forbidden => new HubException(HubErrorKind.Forbidden,
                $"access to {what} is denied (403): {repoId} is gated or the token lacks permission; accept its terms at {endpoint.AbsoluteUri.TrimEnd('/')}/{repoId} and use a token of that account in {HubEnvironment.TokenVariable}.{detail}"),
            _ => new HubException(HubErrorKind.Network,
                $"the hub answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}.{detail}"),
        };
    }

    private static string NotFoundText(string? code, string what) => code switch
    {
        "RevisionNotFound" => $"revision not found: {what}",
        "EntryNotFound" => $"file not found: {what}",
        _ => $"repository or file not found: {what}",
    };

    /// <summary>The hub's own explanation (<c>X-Error-Message</c>), shortened and stripped of control characters: it is untrusted text.</summary>
    private static string ServerMessage(HttpResponseMessage response)
    {
        string? message = Header(response, "X-Error-Message");
        if (string.IsNullOrWhiteSpace(message))
            return "";
        string clean = new(message.Where(c => !char.IsControl(c)).Take(MaxServerMessageLength).ToArray());
        return $" (hub: {clean})";
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Wallfacer.Hub;

/// <summary>The HTTP exchange: redirects followed by hand, the token kept to the hub's own host, failures made readable.</summary>
public sealed partial class HubClient
{
    private const int MaxRedirects = 10;

    /// <summary>
    /// The final reply to a GET of <paramref name="url"/> after redirects, with the file metadata the first reply
    /// carried (the hub's resolve endpoint sends <c>X-Linked-Etag</c> and <c>X-Repo-Commit</c>, the CDN it redirects
    /// to does not). Status codes are not checked here: 416 means something to the caller.
    /// </summary>
    private async Task<HubReply> SendAsync(Uri url, long? rangeStart, string what, CancellationToken ct)
    {
        string? etag = null, commit = null;
        for (int hop = 0; hop <= MaxRedirects; hop++)
        {
            var response = await SendOnceAsync(url, rangeStart, what, ct).ConfigureAwait(false);
            if (hop == 0)
            {
                etag = NormalizeEtag(HubErrors.Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag);
                commit = HubErrors.Header(response, "X-Repo-Commit");
            }
            if (!IsRedirect(response.StatusCode))
                return new HubReply(response, etag, commit);
            var next = RedirectTarget(url, response, what);
            response.Dispose();
            _logger.LogDebug("{What}: redirected to {Host}.", what, next.Host);
            url = next;
        }
        throw new HubException(HubErrorKind.Network, $"more than {MaxRedirects} redirects for {what}; giving up.");
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Uri url, long? rangeStart, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (_options.Token != null && IsEndpointHost(url))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        if (rangeStart is > 0)
            request.Headers.Range = new RangeHeaderValue(rangeStart, null);
        using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headersTimeout.CancelAfter(_options.ReadTimeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HubException(HubErrorKind.Network, $"could not reach {url.Host} for {what}: {ex.Message.TrimEnd('.')}. Check the network, or {HubEnvironment.EndpointVariable}.", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new HubException(HubErrorKind.Network, $"{url.Host} did not answer within {_options.ReadTimeout.TotalSeconds:0} s for {what}.", ex);
        }
    }

    private void ThrowIfFailed(HttpResponseMessage response, string what, string repoId)
    {
        if (!response.IsSuccessStatusCode)
            throw HubErrors.FromResponse(response, what, repoId, _options.Endpoint, hasToken: _options.Token != null);
    }

    /// <summary>The token goes only to the configured endpoint's origin, never to a CDN the hub redirects to.</summary>
    private bool IsEndpointHost(Uri url) =>
        Uri.Compare(url, _options.Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static Uri RedirectTarget(Uri current, HttpResponseMessage response, string what)
    {
        var location = response.Headers.Location
            ?? throw new HubException(HubErrorKind.InvalidResponse, $"a redirect without a Location for {what}.");
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp)
            throw new HubException(HubErrorKind.InvalidResponse, $"a redirect to a non-HTTP address for {what}: {next.Scheme}:");
        return next;
    }

    /// <summary>huggingface_hub's <c>_normalize_etag</c>: drop a weak-validator <c>W/</c> and the quotes.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (etag == null)
            return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal))
            etag = etag[2..];
        return etag.Trim('"');
    }

    /// <summary>A final reply plus the metadata headers of the first one.</summary>
    private sealed record HubReply(HttpResponseMessage Response, string? Etag, string? Commit) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }
}

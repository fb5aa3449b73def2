using System.Net;

namespace Wallfacer.Server.Tests;

/// <summary>CORS is off unless configured; when configured, only the named origins get the headers, preflight included.</summary>
public class CorsTests(ModelFile model) : IClassFixture<ModelFile>
{
    private static HttpRequestMessage Preflight(string url, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, url + "/v1/chat/completions");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private static HttpRequestMessage ModelsFrom(string url, string origin, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url + "/v1/models");
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new("Bearer", key);
        return request;
    }

    [Fact]
    public async Task Without_configuration_no_origin_is_allowed()
    {
        await using var server = await model.StartAsync();
        using var http = new HttpClient();
        using var preflight = await http.SendAsync(Preflight(server.Url, "https://evil.example"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        using var get = await http.SendAsync(ModelsFrom(server.Url, "https://evil.example", "unused"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.False(get.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_configured_origin_passes_preflight_and_others_do_not_while_keys_still_hold()
    {
        await using var server = await model.StartAsync(o => o with { CorsOrigins = ["https://app.example"], ApiKeys = ["sk-test"] });
        using var http = new HttpClient();
        using var preflight = await http.SendAsync(Preflight(server.Url, "https://app.example"));
        Assert.True(preflight.IsSuccessStatusCode, $"preflight answered {preflight.StatusCode}");
        Assert.Equal("https://app.example", Assert.Single(preflight.Headers.GetValues("Access-Control-Allow-Origin")));

        using var other = await http.SendAsync(Preflight(server.Url, "https://evil.example"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        using var allowed = await http.SendAsync(ModelsFrom(server.Url, "https://app.example", "sk-test"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://app.example", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        using var wrongKey = await http.SendAsync(ModelsFrom(server.Url, "https://app.example", "sk-wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Server.OpenAi;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// <c>POST /v1/chat/completions</c> on a server started with <c>--cloud</c>: the request is prepared for the local
/// model exactly as the plain endpoint prepares it, then a <see cref="CollaborativeChatClient"/> applies the policy
/// (privacy, routing, cascade, failover) between the scheduler and the cloud, and the answer carries its decision.
/// Validation errors are the plain endpoint's: they happen before anything is generated or sent.
/// </summary>
internal static class CollaborativeChatEndpoint
{
    public static async Task Handle(HttpContext http, ServedModel served, CloudCollaboration cloud)
    {
        var ct = http.RequestAborted;
        using var doc = await RequestReader.ParseAsync(http.Request.Body, ct);
        var body = RequestReader.Root(doc);
        GenerationRequest.CheckModel(body, served);
        var request = ChatRequestMapper.Read(body);
        string prompt = served.Formatter.Render(request.TemplateMessages, request.TemplateTools, addGenerationPrompt: true, cancellationToken: ct);
        int[] tokens = served.Formatter.Tokenize(prompt);
        // A prompt beyond the local context is not an error here: the policy may send it to the cloud. The local
        // side refuses it when asked (ContextFullException), and the options are read as for the longest prompt that fits.
        var generation = GenerationRequest.Options(body, Math.Min(tokens.Length, served.Scheduler.ContextLength - 1), served);
        bool stream = RequestReader.Boolean(body, "stream") == true;
        bool includeUsage = stream && RequestReader.Has(body, "stream_options") && body.GetProperty("stream_options") is { ValueKind: JsonValueKind.Object } so
            && RequestReader.Boolean(so, "include_usage") == true;

        var local = new ScheduledLocalChatClient(served, tokens, generation, request.Messages);
        using var collaborative = new CollaborativeChatClient(local, cloud.Remote, cloud.Options.Policy.Options, cloud.ClientLogger);
        var response = await collaborative.GetResponseAsync(request.Messages, request.Options, ct);
        var decision = (CollaborationDecision)response.AdditionalProperties![CollaborativeChatClient.DecisionKey]!;
        var writer = new CollaborativeResponseWriter(served.Id, response, DecisionReport.From(decision, cloud.Options.Policy.Options, cloud.Options.Model));
        cloud.Record(writer.Id, decision);
        if (stream)
            await writer.StreamAsync(http, includeUsage, ct);
        else
            await writer.WriteAsync(http);
    }
}

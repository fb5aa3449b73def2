namespace Wallfacer.Server.OpenAi.Dto;

/// <summary><c>GET /v1/models</c>: the one model this server runs.</summary>
internal sealed record ModelList(string Object, IReadOnlyList<ModelInfo> Data);

/// <summary>A model entry of <see cref="ModelList"/>.</summary>
internal sealed record ModelInfo(string Id, string Object, long Created, string OwnedBy);

/// <summary><c>GET /health</c>: liveness plus the scheduler's load (slots in use, requests waiting).</summary>
internal sealed record HealthReport(string Status, string Model, int Slots, int SlotsBusy, int Queue);

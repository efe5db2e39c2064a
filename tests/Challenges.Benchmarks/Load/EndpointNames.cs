namespace Challenges.Benchmarks.Load;

/// <summary>
/// The names requests are recorded under, one per measured endpoint: the generator's latency table, the MONITOR probe
/// and the wrk table use the same ones, so the report can put an endpoint's rate beside its Redis commands.
/// </summary>
internal static class EndpointNames
{
    public const string Baseline = "GET /health/live (baseline)";
    public const string Track = "POST /v1/users/{userId}/actions/{action} (track)";
    public const string GetAction = "GET /v1/users/{userId}/actions/{action}/{idempotencyKey}";
    public const string Validate = "POST /v1/validate";
    public const string GetUser = "GET /v1/users/{userId}";
    public const string SmsStart = "POST /v1/client/challenge/sms";
    public const string SmsVerify = "POST /v1/client/verify/sms";
    public const string PushStart = "POST /v1/client/challenge/push";
    public const string DeviceFetch = "GET /v1/client/user-authenticators/push/challenge (device fetch)";
    public const string DeviceAnswer = "POST /v1/client/user-authenticators/push/challenge (device answer)";
    public const string PushPoll = "POST /v1/client/verify/push (poll)";
}

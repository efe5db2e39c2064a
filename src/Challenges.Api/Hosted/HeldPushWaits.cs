using Challenges.Api.Http;
using Challenges.Api.Observability;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Hosted;

/// <summary>
/// Counts the <c>/hosted/push/wait</c> requests this process holds, per user and in all, so that one client token cannot
/// open any number of held connections that each poll the store (<see cref="HostedOptions"/>). A wait beyond a bound is
/// refused before it touches the store: 429 past the user's share (<c>Retry-After</c>: by then one of that user's waits
/// has answered), 503 past the process's (another process may have room).
/// </summary>
public sealed class HeldPushWaits(IOptions<HostedOptions> options, ChallengeMetrics metrics)
{
    /// <summary>The <c>Retry-After</c> of a 503: the page's polling interval.</summary>
    private const int ProcessFullRetrySeconds = 2;

    private readonly HostedOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string User), int> _perUser = [];
    private int _total;

    /// <summary>A slot for one held wait of the user, released when disposed; or why there is none.</summary>
    public Outcome<IDisposable> TryHold(string tenantId, string userId)
    {
        var user = (tenantId, userId);
        lock (_lock)
        {
            var held = _perUser.GetValueOrDefault(user);
            if (held >= _options.MaxHeldPushWaitsPerUser)
            {
                metrics.Refused("hosted-push-wait-user");
                return ApiError.TooManyRequests((int)HostedEndpoints.PushWait.TotalSeconds);
            }
            if (_total >= _options.MaxHeldPushWaits)
            {
                metrics.Refused("hosted-push-wait-process");
                return new ApiError(ErrorCodes.ServiceUnavailable, "Too many held requests on this server: poll /v1/client/verify/push instead.",
                    ProcessFullRetrySeconds);
            }
            _perUser[user] = held + 1;
            _total += 1;
        }
        return new Slot(this, user);
    }

    private void Release((string Tenant, string User) user)
    {
        lock (_lock)
        {
            _total -= 1;
            if (_perUser[user] == 1)
            {
                _perUser.Remove(user);
            }
            else
            {
                _perUser[user] -= 1;
            }
        }
    }

    private sealed class Slot(HeldPushWaits owner, (string Tenant, string User) user) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(user);
            }
        }
    }
}

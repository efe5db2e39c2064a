using Challenges.Api.Storage;
using Challenges.Api.Users;

namespace Challenges.Api.StepUp;

/// <summary>
/// Step-up records in the user's hash slot, beside the user's push challenges: the user's step-up in flight (one at a
/// time) and the idempotency references (24 hours each). Both are written in the same atomic write as the challenge
/// they name, so two requests with one reference start one challenge.
/// </summary>
public sealed class StepUpStore(IStateStore store)
{
    /// <summary>How long an idempotency reference answers with its first reply.</summary>
    public static readonly TimeSpan RefRetention = TimeSpan.FromHours(24);

    private static string InFlightKeyOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:stepup";

    private static string ReferenceKeyOf(string tenantId, string userId, string reference) =>
        $"u:{HashTags.User(tenantId, userId)}:stepup-ref:{HashTags.Escape(reference)}";

    public async Task<StepUpRecords> ReadAsync(string tenantId, string userId, string? reference)
    {
        List<string> keys = [InFlightKeyOf(tenantId, userId)];
        if (reference is not null)
        {
            keys.Add(ReferenceKeyOf(tenantId, userId, reference));
        }
        var raws = await store.GetManyAsync(keys);
        return new StepUpRecords(new Stored<StepUpInFlightRecord?>(StoreJson.ReadOrNull<StepUpInFlightRecord>(raws[0]), raws[0]),
            reference is null ? null : new Stored<StepUpRefRecord?>(StoreJson.ReadOrNull<StepUpRefRecord>(raws[1]), raws[1]));
    }

    /// <summary>The user's step-up in flight is now <paramref name="inFlight"/>, and the reference names it: a part of the start's atomic write.</summary>
    public static StoreWrite StartWrite(string tenantId, string userId, StepUpRecords read, StepUpInFlightRecord inFlight, TimeSpan lifetime,
        string? reference, StepUpRefRecord? replay)
    {
        ArgumentNullException.ThrowIfNull(read);
        List<StateChange> changes = [StateChange.Over(InFlightKeyOf(tenantId, userId), read.InFlight.Raw, StoreJson.Write(inFlight), lifetime)];
        if (reference is not null && replay is not null)
        {
            changes.Add(StateChange.Over(ReferenceKeyOf(tenantId, userId, reference), read.Reference?.Raw, StoreJson.Write(replay), RefRetention));
        }
        return new StoreWrite(changes);
    }
}

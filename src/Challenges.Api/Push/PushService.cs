using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.Push;

/// <summary>
/// Push challenges (docs/contract.md §3.2 and rows 4–5 of §3.3): started by the web app with a client token, fetched
/// and answered by a device with its key, polled by the web app. Start and poll go through the
/// <see cref="VerificationFlow"/>; the device's answer completes the action through <see cref="ActionCompletion"/>.
/// Every one of them takes two round trips to the store: the challenge sits in its user's slot with the action, and
/// each targeted device gets a pointer to it in its own slot.
/// </summary>
public sealed partial class PushService(
    PushChallengeStore push,
    UserStore users,
    ActionStore actions,
    VerificationFlow flow,
    ActionCompletion completion,
    PushDispatcher dispatcher,
    PushNotifier notifier,
    ChallengeMetrics metrics,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<PushService> logger)
{
    private PushChallengeStore Push => push;
    private TimeProvider Time => time;

    /// <summary>Starts a challenge for the token's action, to all the user's push devices or the one asked for.</summary>
    /// <remarks>
    /// Once stored, the challenge is sent to its devices (<see cref="PushDispatcher"/>) and the answer lists each one's
    /// outcome in <c>deliveryResults</c>, after a bounded wait: a failed send never fails the start.
    /// </remarks>
    public async Task<Outcome<StartPushResponse>> StartAsync(ClientCall call, StartPushRequest request, PushOrigin origin)
    {
        var start = new Start(this, request, origin);
        var started = await flow.StartAsync(call, start);
        if (started.Failed(out _, out var response) || start.Prepared is not { Delivery.IsCompletedSuccessfully: true } prepared)
        {
            return started;
        }
        return response with { DeliveryResults = await prepared.Delivery.Result.ResultsAsync() };
    }

    /// <summary>The user's push-fatigue guard, when the tenant has the defence on.</summary>
    private Task<PushGuardRecord> ReadGuardAsync(Tenant tenant, string userId) => tenant.Options.Push.Fatigue is { Enabled: true } fatigue
        ? push.ReadGuardAsync(tenant.Id, userId, time.GetUtcNow() - fatigue.KnownAddressLifetime)
        : Task.FromResult(PushGuardRecord.Empty);

    /// <summary>The guard's change in a start's or answer's write; none when the tenant has the defence off.</summary>
    private GuardUpdate? GuardUpdateOf(Tenant tenant, PushGuardRecord next, string? learned = null) =>
        tenant.Options.Push.Fatigue is { Enabled: true } fatigue
            ? new GuardUpdate(next, fatigue.UnansweredWindow, learned, time.GetUtcNow() - fatigue.KnownAddressLifetime)
            : null;

    /// <summary>The address a push came from, for the fatigue rules; none when the request had none.</summary>
    private static string? AddressOf(PushChallengeRecord challenge) =>
        challenge.IpAddress is { } ip && ip != ClientAddress.Unknown ? ip : null;

    /// <summary>
    /// The web app's poll. An approved challenge hands out the access token once (the device's answer has already
    /// completed the action, in the same write as the challenge's move).
    /// </summary>
    public Task<Outcome<VerifyPushResponse>> VerifyAsync(ClientCall call, string challengeId) => flow.VerifyAsync(call, new Poll(this, challengeId));

    /// <summary>
    /// A new challenge to <paramref name="devices"/> of <paramref name="userId"/>, living the tenant's push lifetime from
    /// now, prepared to be stored with the user's <paramref name="board"/> as read. <paramref name="action"/>: the action
    /// it decides, as its start leaves it (null for a step-up, which <paramref name="purpose"/> names).
    /// </summary>
    public PreparedPush Prepare(Tenant tenant, string id, string userId, IReadOnlyList<AuthenticatorRecord> devices, IReadOnlyList<Shown> board,
        PushOrigin origin, ActionRecord? action, string? purpose = null, UserRecord? user = null, PushGuardRecord? guard = null,
        bool forceMatching = false)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(origin);
        var now = time.GetUtcNow();
        var challenge = new PushChallengeRecord
        {
            Id = id,
            Purpose = purpose,
            UserId = userId,
            ActionCode = action?.ActionCode ?? StepUpActionCode,
            IdempotencyKey = action?.IdempotencyKey ?? id,
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.PushLifetime,
            Targets = devices.Select(d => d.Id).ToArray(),
            // A step-up has no web page to show a code on.
            VerificationCode = (tenant.Options.Push.NumberMatching || forceMatching) && purpose is null
                ? RandomNumberGenerator.GetInt32(0, 100).ToString("D2", CultureInfo.InvariantCulture)
                : null,
            // The context a device shows describes the sign-in attempt: what the backend tracked, else the starting request.
            // A step-up shows no address when its request had none; a sign-in shows what its request had.
            IpAddress = action?.IpAddress ?? (purpose is not null && origin.IpAddress == ClientAddress.Unknown ? null : origin.IpAddress),
            UserAgent = action?.UserAgent ?? origin.UserAgent,
            DeviceId = action?.DeviceId,
            Locale = action?.Locale,
            Custom = PublicCustomData.Of(action?.Custom, tenant.Options.Push.PublicCustomData, whole: true),
            UserCustom = PublicCustomData.Of(user?.Custom, tenant.Options.Push.PublicCustomData, whole: false),
            ActionText = action is null ? null : ActionStore.TextOf(action),
        };
        // The user's push-fatigue guard counts the push in the same atomic step.
        var write = push.StartWrite(tenant.Id, challenge, board, out var superseded,
            guard is null ? null : GuardUpdateOf(tenant, PushGuard.Started(guard, tenant.Options.Push.Fatigue, now)));
        var pointer = new PendingPointer(challenge.Id, challenge.ExpiresAt);
        var delivery = new TaskCompletionSource<PushDispatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new PreparedPush(challenge, write, delivery.Task,
            () => users.ShowAsync(tenant.Id, devices.Select(d => DeviceKeys.KeyId(d.PublicKey!)), pointer, tenant.Limits.PushLifetime),
            () =>
            {
                delivery.SetResult(dispatcher.Dispatch(tenant, challenge, devices));
                metrics.Started(tenant.Id, VerificationMethods.Push);
                LogStarted(logger, tenant.Id, challenge.Id, devices.Count);
                foreach (var older in superseded)
                {
                    // Every device it targeted now shows the newer one: nobody can answer it, so it was closed.
                    metrics.Completed(tenant.Id, VerificationMethods.Push, "superseded");
                    LogSuperseded(logger, tenant.Id, older, challenge.Id);
                }
            });
    }

    /// <summary>The action code step-up challenges show on the device.</summary>
    public const string StepUpActionCode = "stepUp";

    /// <summary>
    /// Device API row 4: the device's pending challenge, if any. A valid <c>X-Authsignal-Signature</c> over the
    /// device's latest nonce (row 3) consumes that nonce and unlocks <c>custom</c>.
    /// </summary>
    public async Task<Outcome<PendingChallengeResponse>> PendingAsync(Tenant tenant, string? queryKey, string? signature)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey)
        {
            return UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(publicKey);
        // Round trip 1: the credential, its pointer and its nonce (one slot).
        var state = await users.ReadDeviceAsync(tenant.Id, keyId);
        var now = time.GetUtcNow();
        if (state.LiveAt(now) is not { } device)
        {
            return UnknownCredential();
        }
        // Round trip 2: the challenge, and the nonce's consumption when the request is signed.
        var signed = signature is not null && state.Nonce is { } nonce && nonce.KeyId == keyId && now < nonce.ExpiresAt &&
                     DeviceCrypto.Verify(publicKey, nonce.Message, signature)
            ? users.ConsumeNonceAsync(tenant.Id, keyId, state.NonceRaw!)
            : Task.FromResult(false);
        var read = state.Shown is { } pointer && now < pointer.ExpiresAt
            ? push.ReadAsync(tenant.Id, pointer.ChallengeId)
            : Task.FromResult<StoredPush?>(null);
        await Task.WhenAll(signed, read);
        if (read.Result is not { } shown || !shown.IsOpenAt(now) || !shown.Value.Targets.Contains(device.AuthenticatorId) ||
            shown.Value.UserId != device.UserId)
        {
            return new PendingChallengeResponse(device.AuthenticatorId);
        }
        var c = shown.Value;
        return new PendingChallengeResponse(device.AuthenticatorId, c.Id, c.UserId, c.ActionCode, c.IdempotencyKey, c.DeviceId, c.UserAgent,
            c.IpAddress, c.ExpiresAt.ToUnixTimeSeconds(), signed.Result ? c.Custom : null, c.VerificationCode is null ? null : true,
            signed.Result && c.UserCustom is not null ? new ChallengeUser(c.UserCustom) : null);
    }

    /// <summary>
    /// Device API row 5: the first valid answer moves the challenge, once, by compare-and-set, and in the same atomic
    /// write completes its action (<see cref="ActionCompletion"/>; a step-up has none). A second or late answer, an
    /// untargeted device or a bad signature changes nothing. Two round trips: the credential and the challenge, then the
    /// write (with the device's pointer cleared beside it).
    /// </summary>
    public async Task<Outcome<AnswerPushResponse>> AnswerAsync(Tenant tenant, AnswerPushRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var challengeId = request.ChallengeId!;
        if ((DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey)) is not { } publicKey)
        {
            return UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(publicKey);
        var deviceRead = users.ReadDeviceAsync(tenant.Id, keyId);
        var challengeRead = push.ReadAsync(tenant.Id, challengeId);
        await Task.WhenAll(deviceRead, challengeRead);
        var deviceState = deviceRead.Result;
        if (deviceState.LiveAt(time.GetUtcNow()) is not { } device)
        {
            return UnknownCredential();
        }
        if (!DeviceCrypto.Verify(publicKey, challengeId, request.Signature))
        {
            LogBadSignature(logger, tenant.Id);
            return ApiError.InvalidCredential("The signature does not verify with this credential.");
        }
        var hiding = Task.CompletedTask;
        var answered = await retry.RunAsync<Outcome<PushChallengeRecord>>("answering a push challenge", async attempt =>
        {
            var current = attempt == 1 ? challengeRead.Result : await push.ReadAsync(tenant.Id, challengeId);
            var now = time.GetUtcNow();
            if (current is not { Value: var challenge } || challenge.UserId != device.UserId || !challenge.Targets.Contains(device.AuthenticatorId))
            {
                return Done(ApiError.NotFound("No such push challenge for this device."));
            }
            if (challenge.State != PushChallengeStates.Pending)
            {
                return Done(ApiError.Conflict("The challenge has already been answered."));
            }
            if (!current.IsOpenAt(now))
            {
                return Done(ApiError.Conflict("The challenge has expired."));
            }
            var approve = request.Approved!.Value && CodeMatches(challenge, request.VerificationCode);
            var next = challenge with
            {
                State = approve ? PushChallengeStates.Approved : PushChallengeStates.Rejected,
                AnsweredAt = now,
                AnsweredBy = device.AuthenticatorId,
            };
            if (attempt == 1 && deviceState.Shown?.ChallengeId == challengeId)
            {
                // Beside the write: the device no longer shows the challenge it is answering.
                hiding = users.HideAsync(tenant.Id, keyId, deviceState.ShownRaw!);
            }
            var notMe = !approve && string.Equals(request.Reason?.Trim(), PushGuard.NotMe, StringComparison.OrdinalIgnoreCase);
            // A sign-in's answer changes the user's push-fatigue guard in the same atomic step (a step-up is left out).
            var guard = challenge.Purpose is null
                ? GuardUpdateOf(tenant, PushGuard.Answered(tenant.Options.Push.Fatigue, approve, notMe, now), approve ? AddressOf(challenge) : null)
                : null;
            var move = push.AnswerWrite(tenant.Id, current, next, guard);
            var ended = approve ? "approved" : "rejected";
            if (challenge.Purpose is not null)
            {
                // A step-up has no action: its result is read from the challenge itself.
                if (!await push.CommitAsync(move))
                {
                    return Attempt.Conflict<Outcome<PushChallengeRecord>>();
                }
                metrics.Completed(tenant.Id, VerificationMethods.Push, ended);
                return Done(next);
            }
            var id = new ActionRef(tenant.Id, challenge.UserId, challenge.ActionCode, challenge.IdempotencyKey);
            // The action as the start left it saves a read; when it changed since, it is read (one more round trip).
            var action = attempt == 1 && challenge.ActionText is { } text
                ? new Stored<ActionRecord>(StoreJson.Read<ActionRecord>(text), text)
                : await actions.ReadAsync(id);
            var done = action is null
                ? await push.CommitAsync(move)
                : await completion.CommitAsync(tenant, id, action, VerificationMethods.Push,
                    approve ? ChallengeResult.Succeeded : ChallengeResult.Failed, move, ended) is not null;
            return done ? Done(next) : Attempt.Conflict<Outcome<PushChallengeRecord>>();
        });
        if (answered.Failed(out var error, out var result))
        {
            await hiding;
            return error;
        }
        try
        {
            // A signed answer, approval or rejection, is a use of the credential: its lifetime starts again.
            await Task.WhenAll(hiding, RenewOnUseAsync(tenant, deviceState.Index!));
        }
        catch (StoreUnavailableException)
        {
            // The answer is recorded, with its action: only the device's pointer or the credential's renewal waits.
            LogFollowUpFailed(logger, tenant.Id, challengeId);
        }
        LogAnswered(logger, tenant.Id, challengeId, result.State);
        if (result.Purpose is null && tenant.Options.Push.Fatigue.Enabled && result.State == PushChallengeStates.Rejected &&
            string.Equals(request.Reason?.Trim(), PushGuard.NotMe, StringComparison.OrdinalIgnoreCase))
        {
            Report(tenant, result);
        }
        return new AnswerPushResponse(result.State == PushChallengeStates.Approved);

        static Attempt<Outcome<PushChallengeRecord>> Done(Outcome<PushChallengeRecord> outcome) => outcome;
    }

    /// <summary>A push the user rejected as "this wasn't me": pushes to the user are paused, and the tenant is told.</summary>
    private void Report(Tenant tenant, PushChallengeRecord answered)
    {
        LogReported(logger, tenant.Id, answered.Id);
        var now = time.GetUtcNow();
        var data = PushNotifier.EventData(answered, answered.AnsweredBy,
            new KeyValuePair<string, string?>("blockedUntil", (now + tenant.Options.Push.Fatigue.BlockFor).ToString("O", CultureInfo.InvariantCulture)));
        notifier.Enqueue(new PushCreated(tenant, Ids.New(), data, now + PushNotifier.ReportRetryWindow, PushNotifier.ReportedEventType));
    }

    /// <summary>
    /// A signed answer starts the credential's lifetime again, at most once per hundredth of the lifetime (under a day by
    /// default), so that answers seldom cost a write.
    /// </summary>
    private Task RenewOnUseAsync(Tenant tenant, Stored<DeviceRecord> device)
    {
        var now = time.GetUtcNow();
        var lifetime = tenant.Options.Push.CredentialLifetime;
        return device.Value.ExpiresAt is not { } at || at - now < lifetime - lifetime / 100
            ? users.ChangeDeviceAsync(tenant.Id, device, a => a, now + lifetime)
            : Task.CompletedTask;
    }

    /// <summary>Without number matching any answer matches; with it, the device must echo the code exactly.</summary>
    private static bool CodeMatches(PushChallengeRecord challenge, string? code) =>
        challenge.VerificationCode is null ||
        (code is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(challenge.VerificationCode), Encoding.UTF8.GetBytes(code.Trim())));

    internal static ApiError UnknownCredential() =>
        ApiError.InvalidCredential("publicKey: not a registered push credential of this tenant.");

    /// <summary>A push to the token's user's devices, for the token's action.</summary>
    private sealed class Start(PushService service, StartPushRequest request, PushOrigin origin)
        : IChallengeStart<(IReadOnlyList<Shown> Board, PushGuardRecord Guard), StartPushResponse>
    {
        public string Method => VerificationMethods.Push;

        /// <summary>The challenge this start prepared, once it has.</summary>
        public PreparedPush? Prepared { get; private set; }

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => origin.IpAddress == ClientAddress.Unknown
            // No address to attribute the start to (e.g. a Unix socket): only the per-user limit applies.
            ? [(RateRule.PushStartsPerUser, call.Token.UserId)]
            : [(RateRule.PushStartsPerUser, call.Token.UserId), (RateRule.StartsPerIp, origin.IpAddress)];

        public async Task<(IReadOnlyList<Shown> Board, PushGuardRecord Guard)> ReadAsync(ClientCall call)
        {
            var board = service.Push.ReadBoardAsync(call.Tenant.Id, call.Token.UserId);
            var guard = service.ReadGuardAsync(call.Tenant, call.Token.UserId);
            await Task.WhenAll(board, guard);
            return (board.Result, guard.Result);
        }

        public ApiError? Admit(ChallengeContext context) =>
            !context.Tenant.Allows(VerificationMethods.Push) ? ApiError.Invalid("PUSH is not enabled for this tenant.")
            : context.Action is not { Value: var action } ? ApiError.NotFound("The token's action no longer exists.")
            : !ActionStates.AwaitsChallenge(action.State) ? ApiError.Conflict($"The action is {action.State}: it no longer awaits a challenge.")
            : null;

        public Task<Outcome<NewChallenge<StartPushResponse>>> StartAsync(ChallengeContext context, (IReadOnlyList<Shown> Board, PushGuardRecord Guard) state)
        {
            var devices = context.User.Value.PushDevices.Where(a => request.UserAuthenticatorId is null || a.Id == request.UserAuthenticatorId).ToList();
            if (devices.Count == 0)
            {
                return Task.FromResult<Outcome<NewChallenge<StartPushResponse>>>(ApiError.NotFound(request.UserAuthenticatorId is null
                    ? "The user has no push authenticator."
                    : $"The user has no push authenticator '{request.UserAuthenticatorId}'."));
            }
            var id = context.Call.NewChallengeId();
            var action = context.Action!.Value with { ChallengeId = id };
            var address = action.IpAddress ?? origin.IpAddress;
            var judged = PushGuard.Judge(state.Guard, context.Tenant.Options.Push.Fatigue, address == ClientAddress.Unknown ? null : address,
                service.Time.GetUtcNow());
            if (judged.Failed(out var paused, out var forceMatching))
            {
                return Task.FromResult<Outcome<NewChallenge<StartPushResponse>>>(paused);
            }
            var prepared = Prepared = service.Prepare(context.Tenant, id, context.Token.UserId, devices, state.Board, origin, action,
                user: context.User.Value, guard: state.Guard, forceMatching: forceMatching);
            return Task.FromResult<Outcome<NewChallenge<StartPushResponse>>>(new NewChallenge<StartPushResponse>(id, prepared.Write,
                new StartPushResponse(id, prepared.Challenge.VerificationCode), prepared.Show, prepared.Announce));
        }
    }

    /// <summary>The web app's poll of a push challenge of its token's action.</summary>
    private sealed class Poll(PushService service, string challengeId) : IProofCheck<StoredPush?, VerifyPushResponse>
    {
        private VerifyPushResponse? _settled;

        public string Method => VerificationMethods.Push;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [];

        public Task<StoredPush?> ReadAsync(ClientCall call) => service.Push.ReadAsync(call.Tenant.Id, challengeId);

        public Outcome<Judgement> Judge(ChallengeContext context, StoredPush? current)
        {
            var token = context.Token;
            if (current is not { Value: var c } || c.UserId != token.UserId || c.ActionCode != token.ActionCode || c.IdempotencyKey != token.IdempotencyKey)
            {
                return ApiError.NotFound("No such push challenge for this token.");
            }
            var now = service.Time.GetUtcNow();
            var approved = c.State == PushChallengeStates.Approved;
            _settled = c.State == PushChallengeStates.Pending ? new VerifyPushResponse(false, current.IsOverAt(now), null)
                : c.TokenIssued ? new VerifyPushResponse(approved, true, null)
                : null;
            if (_settled is not null)
            {
                return new Judgement(ChallengeResult.Undecided, StoreWrite.None);
            }
            if (context.Action is not { Value: var action })
            {
                return ApiError.NotFound("The token's action no longer exists.");
            }
            // The answer decided the action; another challenge may have decided it first (e.g. a rejection): then this
            // approval cannot succeed it, and hands out nothing.
            var decided = ActionCompletion.Completed(action, Method, approved ? ChallengeResult.Succeeded : ChallengeResult.Failed, now) ?? action;
            if (!approved || decided.State != ActionStates.ChallengeSucceeded)
            {
                _settled = new VerifyPushResponse(false, true, null);
                return new Judgement(ChallengeResult.Undecided, StoreWrite.None);
            }
            return new Judgement(ChallengeResult.Succeeded, service.Push.Write(context.Tenant.Id, current, c with { TokenIssued = true }),
                Token: TokenGrant.Action);
        }

        public VerifyPushResponse Answer(Judgement judgement, Completed completed) =>
            _settled ?? new VerifyPushResponse(true, true, completed.AccessToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} started for tenant {TenantId} to {Devices} device(s)")]
    private static partial void LogStarted(ILogger logger, string tenantId, string challengeId, int devices);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} of tenant {TenantId} superseded by {NewerChallengeId} on every device: closed")]
    private static partial void LogSuperseded(ILogger logger, string tenantId, string challengeId, string newerChallengeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} of tenant {TenantId} answered: {State}")]
    private static partial void LogAnswered(ILogger logger, string tenantId, string challengeId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push challenge {ChallengeId} of tenant {TenantId} answered, but the device's pointer or the credential's renewal was not written (store unavailable)")]
    private static partial void LogFollowUpFailed(ILogger logger, string tenantId, string challengeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push challenge {ChallengeId} of tenant {TenantId} rejected as not the user's: pushes to the user paused")]
    private static partial void LogReported(ILogger logger, string tenantId, string challengeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push answer with a bad signature for tenant {TenantId}")]
    private static partial void LogBadSignature(ILogger logger, string tenantId);
}

namespace Challenges.Api.Tenants;

/// <summary>One tenant from configuration (<c>Tenants__N__...</c>).</summary>
public sealed class TenantOptions
{
    public string Id { get; set; } = "";

    /// <summary>What users see the tenant called, e.g. as the issuer in their authenticator app; the id when unset.</summary>
    public string? Name { get; set; }

    /// <summary>Active secret keys; two during a rotation.</summary>
    public IList<string> SecretKeys { get; } = [];

    /// <summary>Where <c>*.created</c> and lifecycle events are POSTed.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>CORS origins allowed to call the Client API.</summary>
    public IList<string> AllowedOrigins { get; } = [];

    public DeliveryChoice Delivery { get; set; } = new();

    public PushOptions Push { get; set; } = new();

    public StepUpOptions StepUp { get; set; } = new();

    /// <summary>App clients and signing keys of the session API (<c>Tenants__N__Sessions__...</c>).</summary>
    public SessionOptions Sessions { get; set; } = new();

    /// <summary>The WebAuthn relying party for PASSKEY and SECURITY_KEY (<c>Tenants__N__Passkeys__...</c>).</summary>
    public PasskeyOptions Passkeys { get; set; } = new();

    /// <summary>Verification methods users of this tenant may use; empty means SMS, WHATSAPP, EMAIL_OTP, PUSH, EMAIL_MAGIC_LINK and
    /// AUTHENTICATOR_APP;
    /// PASSKEY and SECURITY_KEY must be listed, with <see cref="Passkeys"/>.</summary>
    public IList<string> VerificationMethods { get; } = [];

    /// <summary>Per action code: <c>CHALLENGE</c> (default), <c>ALLOW</c> or <c>BLOCK</c>.</summary>
    public IDictionary<string, string> Actions { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public LimitOptions Limits { get; set; } = new();

    /// <summary>Branding, language and behaviour of the hosted challenge page (<c>Tenants__N__HostedPage__...</c>).</summary>
    public HostedPageOptions HostedPage { get; set; } = new();
}

/// <summary>The provider per OTP channel: <c>Webhook</c>, <c>Twilio</c>, <c>Smtp</c> or <c>Log</c>.</summary>
public sealed class DeliveryChoice
{
    public string Sms { get; set; } = DeliveryProviders.Webhook;
    public string WhatsApp { get; set; } = DeliveryProviders.Webhook;
    public string Email { get; set; } = DeliveryProviders.Webhook;
}

public static class DeliveryProviders
{
    public const string Webhook = "Webhook";
    public const string Twilio = "Twilio";
    public const string Smtp = "Smtp";
    public const string Log = "Log";
}

public sealed class PushOptions
{
    /// <summary>When on, start-push returns a <c>verificationCode</c> that the device must echo.</summary>
    public bool NumberMatching { get; set; }

    /// <summary>
    /// How long a push credential lives unless it is used: answering a challenge or a signed update with
    /// <c>resetExpiry</c> starts it again. An expired credential is removed.
    /// </summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Apple Push Notification service: the tenant's token-authentication key. Empty: no APNs sends.</summary>
    public ApnsOptions Apns { get; set; } = new();

    /// <summary>Firebase Cloud Messaging: the tenant's service account. Empty: no FCM sends.</summary>
    public FcmOptions Fcm { get; set; } = new();

    /// <summary>What the notification of a push challenge says.</summary>
    public PushNotificationOptions Notification { get; set; } = new();

    /// <summary>
    /// How a push challenge reaches its devices: <c>Webhook</c> (a <c>push.created</c> event per device, for the
    /// tenant's own relay), <c>Direct</c> (APNs and FCM with the credentials above) or <c>Both</c>. Unset: <c>Both</c>
    /// when the tenant has APNs or FCM credentials, else <c>Webhook</c> (so a tenant without credentials keeps
    /// <c>push.created</c> alone, as before direct delivery existed). <c>push.created</c> goes out only with a
    /// <c>WebhookUrl</c>.
    /// </summary>
    public string? Delivery { get; set; }

    /// <summary>
    /// The custom data keys a device may see: the action's <c>custom</c> and the user's <c>user.custom</c> on a signed
    /// get-pending carry only these keys. Empty: the action's <c>custom</c> whole (as the backend tracked it for the
    /// device to show) and no <c>user.custom</c>.
    /// </summary>
    public IList<string> PublicCustomData { get; } = [];

    /// <summary>The push-fatigue defence: number matching when a push looks suspect, blocks after "this wasn't me", back-off.</summary>
    public PushFatigueOptions Fatigue { get; set; } = new();

    /// <summary>The delivery this tenant's pushes take, with the unset default resolved.</summary>
    public string DeliveryMode() => Delivery is { Length: > 0 } mode
        ? PushDeliveryModes.All.FirstOrDefault(m => string.Equals(m, mode, StringComparison.OrdinalIgnoreCase)) ?? mode
        : HasProviderCredentials() ? PushDeliveryModes.Both : PushDeliveryModes.Webhook;

    /// <summary>Whether credentials for APNs or FCM are configured.</summary>
    public bool HasProviderCredentials() => Apns.TeamId.Length > 0 || Fcm.ServiceAccount.Length > 0;
}

/// <summary>The values of <see cref="PushOptions.Delivery"/>.</summary>
public static class PushDeliveryModes
{
    public const string Webhook = "Webhook";
    public const string Direct = "Direct";
    public const string Both = "Both";

    public static IReadOnlyList<string> All { get; } = [Webhook, Direct, Both];

    public static bool SendsWebhook(string mode) => mode is Webhook or Both;

    public static bool SendsDirect(string mode) => mode is Direct or Both;
}

/// <summary>
/// The push-fatigue defence (<c>Tenants__N__Push__Fatigue__*</c>) against push bombing: a user who is sent prompt
/// after prompt until one is approved by mistake. Number matching is switched on for the user after a rejected push
/// (for <see cref="MatchingFor"/>), for a push from an address the user has never approved from, and after
/// <see cref="UnansweredForMatching"/> unanswered pushes in a row; a rejection with the reason <c>NOT_ME</c> blocks
/// pushes to the user for <see cref="BlockFor"/> and tells the tenant (<c>push.reported</c>); a push while the last
/// one went unanswered waits <see cref="FirstBackoff"/>, doubling with each unanswered one up to
/// <see cref="MaxBackoff"/>, until an answer resets it. Its state is written in the same atomic step as the start or
/// answer it follows, without a condition: concurrent starts for one user may count as one.
/// </summary>
public sealed class PushFatigueOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long number matching stays on for a user after a rejected push or a run of unanswered ones.</summary>
    public TimeSpan MatchingFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Unanswered pushes in a row (within <see cref="UnansweredWindow"/>) after which number matching is on.</summary>
    public int UnansweredForMatching { get; set; } = 3;

    /// <summary>Unanswered pushes older than this (from the last start) no longer count.</summary>
    public TimeSpan UnansweredWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a "this wasn't me" rejection blocks pushes to the user.</summary>
    public TimeSpan BlockFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The wait after one unanswered push; it doubles with each further one.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an address a user approved a push from is remembered as the user's.</summary>
    public TimeSpan KnownAddressLifetime { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// An APNs token-authentication key (a <c>.p8</c> file from the Apple Developer account) and the app it notifies.
/// All four of <see cref="TeamId"/>, <see cref="KeyId"/>, <see cref="PrivateKey"/> and <see cref="Topic"/>, or none.
/// </summary>
public sealed class ApnsOptions
{
    /// <summary>The 10-character Team ID: the provider token's <c>iss</c>.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The 10-character Key ID of the key: the provider token's <c>kid</c>.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>The key itself: the PEM text of the <c>.p8</c> file, or the path of that file.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>The app's bundle ID (<c>apns-topic</c>).</summary>
    public string Topic { get; set; } = "";

    /// <summary><c>production</c> (api.push.apple.com) or <c>sandbox</c> (api.sandbox.push.apple.com, development builds).</summary>
    public string Environment { get; set; } = "production";
}

/// <summary>A Firebase project's service account, allowed to send with FCM HTTP v1.</summary>
public sealed class FcmOptions
{
    /// <summary>The service account's JSON key: its text, or the path of the file.</summary>
    public string ServiceAccount { get; set; } = "";
}

/// <summary>
/// The title and body of a push challenge's notification, with a different text per action code where set. Unset, the
/// notification says the built-in words (<c>PushDelivery/Strings/</c>) in the action's language, else in the tenant's
/// <see cref="HostedPageOptions.DefaultLocale"/>; a text set here is said in every language.
/// </summary>
public sealed class PushNotificationOptions
{
    /// <summary>The title; unset: "Confirm it's you" in the user's language, after the tenant's display name when it has one.</summary>
    public string? Title { get; set; }

    /// <summary>The text; unset: "Open the app to approve or reject this request." in the user's language.</summary>
    public string? Body { get; set; }

    /// <summary>Per action code, a title and body that replace the ones above (each optional).</summary>
    public IDictionary<string, PushNotificationText> Actions { get; } = new Dictionary<string, PushNotificationText>(StringComparer.Ordinal);
}

/// <summary>One action's notification text; an absent part falls back to the tenant's.</summary>
public sealed class PushNotificationText
{
    public string? Title { get; set; }
    public string? Body { get; set; }
}

public sealed class StepUpOptions
{
    /// <summary>Step-up channels enabled for the tenant; BIOMETRIC by default, AUTHY only when configured.</summary>
    public IList<string> Channels { get; } = [];
}

/// <summary>Limits of docs/contract.md §6; each can be changed per tenant.</summary>
public sealed class LimitOptions
{
    public int OtpLength { get; set; } = 6;
    public TimeSpan OtpLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public int OtpMaxAttempts { get; set; } = 5;
    public int SmsSendsPerWindow { get; set; } = 6;
    public int EmailSendsPerWindow { get; set; } = 12;
    public TimeSpan SendWindow { get; set; } = TimeSpan.FromMinutes(10);
    public int VerifiesPerWindow { get; set; } = 10;
    public TimeSpan VerifyWindow { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan PushLifetime { get; set; } = TimeSpan.FromMinutes(5);
    public int PushStartsPerWindow { get; set; } = 5;
    public TimeSpan PushWindow { get; set; } = TimeSpan.FromMinutes(10);
    public int StepUpsPerWindow { get; set; } = 5;
    public TimeSpan StepUpWindow { get; set; } = TimeSpan.FromMinutes(10);
    public int StartsPerIpPerWindow { get; set; } = 60;
    public TimeSpan IpWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an email magic link can be used.</summary>
    public TimeSpan MagicLinkLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Finalize polls of email magic links per user and window: the browser SDK polls once a second for as long as the
    /// link lives, so this allows three pollers at that pace and bounds anything faster.
    /// </summary>
    public int MagicLinkPollsPerWindow { get; set; } = 180;

    public TimeSpan MagicLinkPollWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan ActionRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Nonces and signing messages (device API rows 3 and 7) one device key may ask for per window.</summary>
    public int DeviceNoncesPerWindow { get; set; } = 60;
    public TimeSpan DeviceNonceWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// SMS pumping guard: the E.164 prefixes (a country code such as <c>+44</c>, or a longer prefix such as <c>+1787</c>)
    /// that SMS and WhatsApp codes may be sent to; empty: any number. A send elsewhere is refused before any provider is called.
    /// </summary>
    public IList<string> PhonePrefixes { get; } = [];

    /// <summary>Authenticators one user may hold, all methods together, verified or still being enrolled.</summary>
    public int MaxAuthenticatorsPerUser { get; set; } = 20;

    /// <summary>Authenticators of one OTP method (SMS, WhatsApp, email) one user may hold.</summary>
    public int MaxAuthenticatorsPerMethod { get; set; } = 5;

    /// <summary>Push device credentials one user may hold.</summary>
    public int MaxPushDevicesPerUser { get; set; } = 10;
}

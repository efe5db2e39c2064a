using Challenges.Api.Tenants;

namespace Challenges.Api.RateLimiting;

/// <summary>
/// A rate-limit rule: its name in store keys and the tenant limit and window it counts against. Every rule the server
/// counts is one of the instances below, so a rule has one name wherever it is counted.
/// </summary>
public sealed class RateRule
{
    private RateRule(string name, Func<LimitOptions, int> limit, Func<LimitOptions, TimeSpan> window, bool byAddress = false)
    {
        Name = name;
        Limit = limit;
        Window = window;
        ByAddress = byAddress;
    }

    /// <summary>Part of the store key: changing it starts every window of the rule afresh.</summary>
    public string Name { get; }

    public Func<LimitOptions, int> Limit { get; }

    public Func<LimitOptions, TimeSpan> Window { get; }

    /// <summary>The subject is an end user's IP address, counted by its network (<see cref="ClientAddress.Network"/>).</summary>
    public bool ByAddress { get; }

    /// <summary>
    /// Challenge starts per end-user address, whatever the method: OTP sends, reserved challenges, push and step-up
    /// starts all count against this one window.
    /// </summary>
    public static readonly RateRule StartsPerIp = new("ip-start", l => l.StartsPerIpPerWindow, l => l.IpWindow, byAddress: true);

    /// <summary>SMS and WhatsApp codes sent for one user.</summary>
    public static readonly RateRule PhoneSendsPerUser = new("otp-send-phone-user", l => l.SmsSendsPerWindow, l => l.SendWindow);

    /// <summary>SMS and WhatsApp codes sent to one number by anyone but a user who has verified it (anti-pumping).</summary>
    public static readonly RateRule PhoneSendsPerDestination = new("otp-send-phone-to", l => l.SmsSendsPerWindow, l => l.SendWindow);

    /// <summary>Email codes sent for one user.</summary>
    public static readonly RateRule EmailSendsPerUser = new("otp-send-email-user", l => l.EmailSendsPerWindow, l => l.SendWindow);

    /// <summary>Email codes sent to one address by anyone but a user who has verified it.</summary>
    public static readonly RateRule EmailSendsPerDestination = new("otp-send-email-to", l => l.EmailSendsPerWindow, l => l.SendWindow);

    /// <summary>OTP verifies per user (or per destination for a passwordless challenge without a user).</summary>
    public static readonly RateRule VerifiesPerUser = new("otp-verify-user", l => l.VerifiesPerWindow, l => l.VerifyWindow);

    /// <summary>Push challenges started per user.</summary>
    public static readonly RateRule PushStartsPerUser = new("push-start", l => l.PushStartsPerWindow, l => l.PushWindow);

    /// <summary>Step-up challenges started per user (answered with <c>CHALLENGE_LIMIT_EXCEEDED</c>).</summary>
    public static readonly RateRule StepUpsPerUser = new("stepup", l => l.StepUpsPerWindow, l => l.StepUpWindow);

    /// <summary>Finalize polls of email magic links per user (generous: the browser SDK polls once a second).</summary>
    public static readonly RateRule MagicLinkPollsPerUser = new("ml-poll", l => l.MagicLinkPollsPerWindow, l => l.MagicLinkPollWindow);

    /// <summary>Nonces and signing messages handed to one device key (device API rows 3 and 7).</summary>
    public static readonly RateRule DeviceNonces = new("device-nonce", l => l.DeviceNoncesPerWindow, l => l.DeviceNonceWindow);

    public override string ToString() => Name;
}

namespace Challenges.Api.Delivery;

/// <summary>
/// The <c>Log</c> provider: writes the code (or the magic link) to the console log so a newcomer can try every flow with curl and no
/// SMS or mail account. This is the one deliberate exception to "never log a code", and it is allowed only in the
/// Development environment: <see cref="OtpDeliveryValidator"/> refuses to start with <c>Log</c> anywhere else.
/// </summary>
public sealed partial class LogDelivery(ILogger<LogDelivery> logger)
{
    public Task<DeliveryOutcome> SendAsync(string channel, OtpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        LogCode(logger, channel, message.To, message.Code);
        return Task.FromResult(DeliveryOutcome.Ok);
    }

    public Task<DeliveryOutcome> SendLinkAsync(MagicLinkMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        LogLink(logger, message.To, message.Url.ToString());
        return Task.FromResult(DeliveryOutcome.Ok);
    }

    // Development only (see the class comment): the code and the link are logged on purpose.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Development delivery (Email) to {Destination}: magic link {DevelopmentOnlyLink}")]
    private static partial void LogLink(ILogger logger, string destination, string developmentOnlyLink);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Development delivery ({Channel}) to {Destination}: code {DevelopmentOnlyCode}")]
    private static partial void LogCode(ILogger logger, string channel, string destination, string developmentOnlyCode);
}

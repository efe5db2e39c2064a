using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Delivery;

/// <summary>
/// The <c>Twilio</c> provider: one POST to <c>{BaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json</c> with Basic
/// AccountSid:AuthToken and the form fields To, From, Body. WhatsApp uses the <c>whatsapp:</c> address form.
/// </summary>
public sealed partial class TwilioMessages(IHttpClientFactory clients, IOptions<TwilioOptions> options, ILogger<TwilioMessages> logger)
{
    public const string HttpClientName = "twilio";
    private const string WhatsAppPrefix = "whatsapp:";

    public Task<DeliveryOutcome> SmsAsync(OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync("sms", message.To, options.Value.From, message.Text, cancellationToken);
    }

    public Task<DeliveryOutcome> WhatsAppAsync(OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync("whatsapp", WhatsApp(message.To), WhatsApp(options.Value.WhatsAppFrom), message.Text, cancellationToken);
    }

    private static string WhatsApp(string address) =>
        address.StartsWith(WhatsAppPrefix, StringComparison.Ordinal) ? address : WhatsAppPrefix + address;

    private async Task<DeliveryOutcome> SendAsync(string channel, string to, string from, string body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var url = new Uri(o.BaseUrl, $"2010-04-01/Accounts/{Uri.EscapeDataString(o.AccountSid)}/Messages.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([new("To", to), new("From", from), new("Body", body)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.AccountSid}:{o.AuthToken}")));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return DeliveryOutcome.Ok;
            }
            LogRefused(logger, channel, (int)response.StatusCode);
            return DeliveryOutcome.Failed($"Twilio answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, channel, e.GetType().Name);
            return DeliveryOutcome.Failed("Twilio did not answer.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused a {Channel} message with {Status}")]
    private static partial void LogRefused(ILogger logger, string channel, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio {Channel} message failed: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string channel, string failure);
}

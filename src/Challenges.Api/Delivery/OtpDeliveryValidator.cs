using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Delivery;

/// <summary>
/// Refuses to start when a tenant's OTP delivery cannot work, naming the key: a provider on a channel it cannot serve
/// (Twilio for email, Smtp for SMS), Twilio or Smtp chosen without their settings, <c>Log</c> outside Development
/// (it writes codes to the log), or <c>Webhook</c> for an enabled method of a tenant with no <c>WebhookUrl</c> outside
/// Development (every send would answer 502).
/// </summary>
public sealed class OtpDeliveryValidator(IOptions<TwilioOptions> twilio, IOptions<SmtpOptions> smtp, IHostEnvironment environment)
    : IValidateOptions<TenantsOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var needsTwilioSms = false;
        var needsTwilioWhatsApp = false;
        var needsSmtp = false;
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var delivery = options.Tenants[i].Delivery;
            var at = $"Tenants__{i}__Delivery__";
            if (delivery.Sms == DeliveryProviders.Smtp)
            {
                failures.Add($"{at}Sms cannot be Smtp: use Webhook, Twilio or Log.");
            }
            if (delivery.WhatsApp == DeliveryProviders.Smtp)
            {
                failures.Add($"{at}WhatsApp cannot be Smtp: use Webhook, Twilio or Log.");
            }
            if (delivery.Email == DeliveryProviders.Twilio)
            {
                failures.Add($"{at}Email cannot be Twilio: use Webhook, Smtp or Log.");
            }
            var tenant = new Tenant(options.Tenants[i]);
            foreach (var (channel, provider, method) in new[]
                     {
                         ("Sms", delivery.Sms, VerificationMethods.Sms),
                         ("WhatsApp", delivery.WhatsApp, VerificationMethods.WhatsApp),
                         ("Email", delivery.Email, VerificationMethods.EmailOtp),
                     })
            {
                if (provider == DeliveryProviders.Log && !environment.IsDevelopment())
                {
                    failures.Add($"{at}{channel} is Log, which writes codes to the log: it is allowed only in Development.");
                }
                if (provider == DeliveryProviders.Webhook && tenant.Options.WebhookUrl is null && tenant.Allows(method) && !environment.IsDevelopment())
                {
                    failures.Add($"{at}{channel} is Webhook but Tenants__{i}__WebhookUrl is empty, so every {method} code would fail to send: " +
                                 $"set the URL, choose another provider, or list only the methods in use in Tenants__{i}__VerificationMethods.");
                }
            }
            needsTwilioSms |= delivery.Sms == DeliveryProviders.Twilio;
            needsTwilioWhatsApp |= delivery.WhatsApp == DeliveryProviders.Twilio;
            needsSmtp |= delivery.Email == DeliveryProviders.Smtp;
        }
        if (needsTwilioSms || needsTwilioWhatsApp)
        {
            var t = twilio.Value;
            if (!t.BaseUrl.IsAbsoluteUri || (t.BaseUrl.Scheme != Uri.UriSchemeHttps && t.BaseUrl.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add("Twilio__BaseUrl must be an absolute http or https URL.");
            }
            if (string.IsNullOrWhiteSpace(t.AccountSid))
            {
                failures.Add("Twilio__AccountSid is required when a tenant delivers by Twilio.");
            }
            if (string.IsNullOrWhiteSpace(t.AuthToken))
            {
                failures.Add("Twilio__AuthToken is required when a tenant delivers by Twilio.");
            }
            if (needsTwilioSms && string.IsNullOrWhiteSpace(t.From))
            {
                failures.Add("Twilio__From is required when a tenant sends SMS by Twilio.");
            }
            if (needsTwilioWhatsApp && string.IsNullOrWhiteSpace(t.WhatsAppFrom))
            {
                failures.Add("Twilio__WhatsAppFrom is required when a tenant sends WhatsApp by Twilio.");
            }
        }
        if (needsSmtp)
        {
            var s = smtp.Value;
            if (string.IsNullOrWhiteSpace(s.Host))
            {
                failures.Add("Smtp__Host is required when a tenant sends email by Smtp.");
            }
            if (s.Port is < 1 or > 65535)
            {
                failures.Add("Smtp__Port must be between 1 and 65535.");
            }
            if (!Validation.IsEmail(s.From))
            {
                failures.Add("Smtp__From must be a valid email address when a tenant sends email by Smtp.");
            }
            if (s.Subject.Any(char.IsControl))
            {
                failures.Add("Smtp__Subject must not contain control characters.");
            }
            if (s.Username.Length > 0 != s.Password.Length > 0)
            {
                failures.Add("Smtp__Username and Smtp__Password must be set together.");
            }
            if (s.Username.Length > 0 && s.Security == MailKit.Security.SecureSocketOptions.None)
            {
                failures.Add("Smtp__Security is None, so Smtp__Username's credentials would be sent unencrypted: use StartTls or SslOnConnect.");
            }
            if (s.CaCertificate.Length > 0 && CertificateTrust.Problem(s.CaCertificate) is { } problem)
            {
                failures.Add($"Smtp__CaCertificate {problem}.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Delivery;

/// <summary>OTP delivery: one sender per channel, each choosing the tenant's provider; provider options checked at start.</summary>
public static class OtpDeliverySetup
{
    public static IServiceCollection AddOtpDelivery(this IServiceCollection services)
    {
        services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero, "Twilio__Timeout must be positive.").ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero, "Smtp__Timeout must be positive.").ValidateOnStart();
        services.AddSingleton<IValidateOptions<TenantsOptions>, OtpDeliveryValidator>();

        services.AddHttpClient(TwilioMessages.HttpClientName)
            .ConfigureHttpClient((provider, client) => client.Timeout = provider.GetRequiredService<IOptions<TwilioOptions>>().Value.Timeout)
            .WithoutRedirects();
        services.AddSingleton<OtpWebhooks>();
        services.AddSingleton<TwilioMessages>();
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<LogDelivery>();
        services.AddSingleton<ISmsSender, SmsSender>();
        services.AddSingleton<IWhatsAppSender, WhatsAppSender>();
        services.AddSingleton<IEmailSender, EmailSender>();
        return services;
    }
}

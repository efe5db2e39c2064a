namespace Challenges.Api.Verification;

public static class VerificationSetup
{
    /// <summary>The path every verification method's enrolment, start and verify take.</summary>
    public static IServiceCollection AddVerification(this IServiceCollection services)
    {
        services.AddSingleton<VerificationFlow>();
        services.AddSingleton<ActionAttempts>();
        return services;
    }
}

namespace Challenges.Api.Users;

/// <summary>A request that names an OTP method and where its codes go.</summary>
public interface IDestinationRequest
{
    string? VerificationMethod { get; }
    string? PhoneNumber { get; }
    string? Email { get; }
}

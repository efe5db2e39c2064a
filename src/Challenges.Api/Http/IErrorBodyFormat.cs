namespace Challenges.Api.Http;

/// <summary>
/// Endpoint metadata of an API family with error bodies of its own (the step-up API): <see cref="ErrorWriter"/> writes
/// the body it makes instead of the contract's, for every error of the family's routes, whoever raises it.
/// </summary>
public interface IErrorBodyFormat
{
    object BodyOf(ApiError failure);
}

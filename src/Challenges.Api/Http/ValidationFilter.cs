using System.Runtime.CompilerServices;
using FluentValidation;

namespace Challenges.Api.Http;

/// <summary>
/// Validates every endpoint argument that has a registered <see cref="IValidator{T}"/>. The validators are found
/// once per endpoint, when it is built. An absent body is validated as an empty one (every field null) and handed to
/// the endpoint as that, so a required field is reported the same way whether the body is missing or only the field
/// is. A failure answers 400 <c>invalid_request</c> naming the field and the rule. No rule is asynchronous.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var services = context.ApplicationServices;
            var validators = context.MethodInfo.GetParameters()
                .Select((parameter, index) => (index, type: parameter.ParameterType, validator: services.GetService(
                    typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
                .Where(p => p.validator is not null)
                .Select(p => (p.index, validator: p.validator!, empty: RuntimeHelpers.GetUninitializedObject(p.type)))
                .ToArray();
            if (validators.Length == 0)
            {
                return next;
            }
            return invocation =>
            {
                foreach (var (index, validator, empty) in validators)
                {
                    var argument = invocation.Arguments[index] ??= empty;
                    var result = validator.Validate(new ValidationContext<object>(argument));
                    if (!result.IsValid)
                    {
                        return ValueTask.FromResult<object?>(new ApiError(ErrorCodes.InvalidRequest, result.Errors[0].ErrorMessage).ToResult());
                    }
                }
                return next(invocation);
            };
        });
        return builder;
    }
}

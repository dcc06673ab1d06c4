import KerasGraph

/// The identity at inference (the shared InferenceIdentityLayer implementation).
extension InferenceIdentity: RunnableLayer {}

import KerasGraph

/// The identity at inference (the shared InferenceIdentityLayer implementation).
extension GaussianNoise: RunnableLayer {}

import KerasGraph

/// The identity at inference (the shared InferenceIdentityLayer implementation).
extension SpatialDropout3D: RunnableLayer {}

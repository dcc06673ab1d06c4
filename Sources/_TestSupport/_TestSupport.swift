// _TestSupport

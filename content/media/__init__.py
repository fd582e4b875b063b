"""The media library: uploads checked by their bytes, content-addressed storage, image renditions."""

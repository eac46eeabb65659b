"""Operations on the organisation."""

/* Placeholder until the child program lands; replaced in the same series. */
int main(void)
{
    return 0;
}

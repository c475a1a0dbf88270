/* Placeholder until the command line lands; replaced in the same series. */
int main(void)
{
    return 2;
}
